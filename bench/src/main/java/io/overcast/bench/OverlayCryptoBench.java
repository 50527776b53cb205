package io.overcast.bench;

import io.overcast.overlay.crypto.AeadContext;
import io.overcast.overlay.crypto.X25519;
import io.overcast.overlay.noise.Handshake;
import io.overcast.overlay.noise.Transport;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import javax.crypto.spec.SecretKeySpec;

/**
 * The overlay's CPU ceilings on this machine, one thread each: the JDK's ChaCha20-Poly1305 on 1420-byte packets
 * (the most the data path can move per core), a transport seal+open round through our code with the bytes it
 * allocates per packet, and complete handshakes per second. Usage: OverlayCryptoBench [seconds per measurement].
 */
public final class OverlayCryptoBench {
    private static final int PACKET = 1420;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + "), " + Runtime.getRuntime().availableProcessors() + " cpus");
        aead(seconds / 2); // warm-up
        aead(seconds);
        bouncyCastle(seconds / 2);
        bouncyCastle(seconds);
        transport(seconds / 2);
        transport(seconds);
        handshakes(seconds / 2);
        handshakes(seconds);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static void aead(double seconds) {
        AeadContext c = new AeadContext();
        SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
        byte[] in = new byte[PACKET];
        byte[] out = new byte[PACKET + 16];
        byte[] back = new byte[PACKET + 16];
        long n = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 256; i++, n++) {
                c.seal(key, n, in, 0, PACKET, out, 0);
            }
        }
        double sealGbps = n * PACKET * 8 / ((System.nanoTime() - start) / 1e9) / 1e9;
        c.seal(key, 1L << 40, in, 0, PACKET, out, 0);
        long m = 0;
        deadline = System.nanoTime() + (long) (seconds * 1e9);
        start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 256; i++, m++) {
                if (c.open(key, 1L << 40, out, 0, PACKET + 16, back, 0) != PACKET) {
                    throw new IllegalStateException("open failed");
                }
            }
        }
        double openGbps = m * PACKET * 8 / ((System.nanoTime() - start) / 1e9) / 1e9;
        System.out.printf(
                "aead ChaCha20-Poly1305 %d B, 1 thread: seal %.2f Gbit/s, open %.2f Gbit/s%n",
                PACKET, sealGbps, openGbps);
    }

    /** The same AEAD from Bouncy Castle's lightweight API, for comparison (allocation and speed). */
    private static void bouncyCastle(double seconds) throws Exception {
        var aead = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
        var key = new org.bouncycastle.crypto.params.KeyParameter(new byte[32]);
        byte[] nonce = new byte[12];
        byte[] in = new byte[PACKET];
        byte[] out = new byte[PACKET + 16];
        byte[] back = new byte[PACKET + 16];
        long n = 0;
        long before = allocated();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 256; i++, n++) {
                nonce[4] = (byte) n;
                nonce[5] = (byte) (n >>> 8);
                nonce[6] = (byte) (n >>> 16);
                aead.init(true, new org.bouncycastle.crypto.params.ParametersWithIV(key, nonce));
                int len = aead.processBytes(in, 0, PACKET, out, 0);
                aead.doFinal(out, len);
                aead.init(false, new org.bouncycastle.crypto.params.ParametersWithIV(key, nonce));
                len = aead.processBytes(out, 0, PACKET + 16, back, 0);
                aead.doFinal(back, len);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "aead Bouncy Castle ChaCha20Poly1305 %d B, 1 thread: seal+open %.2f Gbit/s, %d bytes allocated per"
                        + " packet%n",
                PACKET, n * PACKET * 8 / secs / 1e9, (allocated() - before) / n);
    }

    private static void transport(double seconds) {
        byte[] a = X25519.generatePrivate();
        byte[] b = X25519.generatePrivate();
        Handshake i = Handshake.initiator(a, X25519.publicKey(b), null);
        Handshake r = Handshake.responder(b, null);
        byte[] init = i.createInitiation(1, Instant.now());
        r.consumeInitiation(init, init.length, (byte[]) null);
        Handshake.Result res = r.createResponse(2);
        Transport ti = i.consumeResponse(res.message(), res.message().length);
        Transport tr = res.transport();
        AeadContext c1 = new AeadContext();
        AeadContext c2 = new AeadContext();
        byte[] packet = new byte[PACKET + 16];
        packet[0] = 0x45;
        byte[] msg = new byte[PACKET + 48];
        byte[] plain = new byte[PACKET + 48];
        long n = 0;
        long before = allocated();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int k = 0; k < 256; k++, n++) {
                int len = ti.seal(c1, packet, PACKET, msg);
                if (tr.open(c2, msg, len, plain) < PACKET) {
                    throw new IllegalStateException("open failed");
                }
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long bytesPerPacket = (allocated() - before) / n;
        System.out.printf(
                "transport seal+open %d B, 1 thread: %.2f Gbit/s (%.0f packets/s), %d bytes allocated per packet%n",
                PACKET, n * PACKET * 8 / secs / 1e9, n / secs, bytesPerPacket);
    }

    private static void handshakes(double seconds) {
        byte[] a = X25519.generatePrivate();
        byte[] b = X25519.generatePrivate();
        byte[] pubB = X25519.publicKey(b);
        long n = 0;
        long respond = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Handshake i = Handshake.initiator(a, pubB, null);
            byte[] init = i.createInitiation((int) n, Instant.now());
            long t0 = System.nanoTime();
            Handshake r = Handshake.responder(b, null);
            if (!r.consumeInitiation(init, init.length, (byte[]) null)) {
                throw new IllegalStateException("initiation refused");
            }
            Handshake.Result res = r.createResponse((int) n + 1);
            respond += System.nanoTime() - t0;
            if (i.consumeResponse(res.message(), res.message().length) == null) {
                throw new IllegalStateException("response refused");
            }
            n++;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "handshakes, 1 thread: %.0f complete/s (both sides); responder alone %.0f/s%n",
                n / secs, n / (respond / 1e9));
    }
}
