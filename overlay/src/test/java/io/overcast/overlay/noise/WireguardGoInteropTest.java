package io.overcast.overlay.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.overlay.crypto.X25519;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java handshake and transport against Debian's wireguard-go, byte for byte: wireguard-go runs in a network
 * namespace this test creates (veth to the host namespace, removed afterwards) with a real TUN interface, and the
 * Java side speaks UDP from the host namespace. Packets are ICMP echoes that the namespace's kernel answers.
 * Without root, wireguard-go, wg or ip the test is reported as skipped with the reason.
 */
class WireguardGoInteropTest {
    private static final byte[] JAVA_TUN = {10, (byte) 214, 0, 1};
    private static final byte[] GO_TUN = {10, (byte) 214, 0, 2};

    private final String tag = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final String ns = "ovc-" + tag;
    private final String vethHost = "ovch" + tag;
    private final String vethNs = "ovcn" + tag;
    private final String wgIf = "ovcw" + tag;
    private final byte[] javaPriv = X25519.generatePrivate();
    private final byte[] goPriv = X25519.generatePrivate();
    private Process wireguardGo;
    private DatagramSocket udp;
    private final List<String> cleanup = new ArrayList<>();

    private static boolean have(String cmd) {
        return Files.isExecutable(Path.of("/usr/bin", cmd))
                || Files.isExecutable(Path.of("/usr/sbin", cmd))
                || Files.isExecutable(Path.of("/sbin", cmd))
                || Files.isExecutable(Path.of("/bin", cmd));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", cmd));
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and TUN");
        Assumptions.assumeTrue(
                have("wireguard-go") && have("wg") && have("ip"),
                "needs wireguard-go, wg and ip (apt-get install wireguard-go wireguard-tools iproute2)");
        run("ip", "netns", "add", ns);
        cleanup.add(0, "ip netns del " + ns);
        run("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNs);
        cleanup.add(0, "ip link del " + vethHost);
        run("ip", "link", "set", vethNs, "netns", ns);
        run("ip", "addr", "add", "10.213.0.1/30", "dev", vethHost);
        run("ip", "link", "set", vethHost, "up");
        run("ip", "-n", ns, "addr", "add", "10.213.0.2/30", "dev", vethNs);
        run("ip", "-n", ns, "link", "set", vethNs, "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        wireguardGo = new ProcessBuilder("ip", "netns", "exec", ns, "wireguard-go", "-f", wgIf)
                .redirectErrorStream(true)
                .redirectOutput(
                        Path.of("target", "wireguard-go-" + tag + ".log").toFile())
                .start();
        Path sock = Path.of("/var/run/wireguard", wgIf + ".sock");
        for (int i = 0; i < 100 && !Files.exists(sock); i++) {
            wireguardGo.waitFor(50, TimeUnit.MILLISECONDS); // waits on the process, returning early if it dies
        }
        assertTrue(Files.exists(sock), "wireguard-go did not start");
        Path key = Files.createTempFile("wg", ".key");
        Files.writeString(key, Base64.getEncoder().encodeToString(goPriv));
        udp = new DatagramSocket(new InetSocketAddress("10.213.0.1", 0));
        udp.setSoTimeout(3000);
        run(
                "ip",
                "netns",
                "exec",
                ns,
                "wg",
                "set",
                wgIf,
                "private-key",
                key.toString(),
                "listen-port",
                "51820",
                "peer",
                Base64.getEncoder().encodeToString(X25519.publicKey(javaPriv)),
                "allowed-ips",
                "10.214.0.1/32",
                "endpoint",
                "10.213.0.1:" + udp.getLocalPort());
        Files.delete(key);
        run("ip", "-n", ns, "addr", "add", "10.214.0.2/24", "dev", wgIf);
        run("ip", "-n", ns, "link", "set", wgIf, "up");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (udp != null) {
            udp.close();
        }
        if (wireguardGo != null) {
            wireguardGo.destroy();
            wireguardGo.waitFor(5, TimeUnit.SECONDS);
        }
        for (String c : cleanup) {
            new ProcessBuilder(c.split(" ")).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private DatagramPacket receive() throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        return p;
    }

    private void send(byte[] m) throws IOException {
        udp.send(new DatagramPacket(m, m.length, new InetSocketAddress("10.213.0.2", 51820)));
    }

    /** Reads until a transport message opens to an ICMP packet of the given type. */
    private byte[] receiveIcmp(Transport t, int type) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            DatagramPacket p = receive();
            byte[] plain = t.open(p.getData(), p.getLength());
            if (plain != null && Icmp.isIcmp(plain, type)) {
                return Arrays.copyOf(plain, Icmp.totalLength(plain));
            }
        }
        throw new SocketTimeoutException("no ICMP type " + type + " through the tunnel");
    }

    @Test
    void javaInitiatesAndPingsThroughWireguardGo() throws Exception {
        Handshake hs = Handshake.initiator(javaPriv, X25519.publicKey(goPriv), null);
        send(hs.createInitiation(0x01020304, Instant.now()));
        DatagramPacket response = receive();
        Transport t = hs.consumeResponse(Arrays.copyOf(response.getData(), response.getLength()), response.getLength());
        assertNotNull(t, "wireguard-go's response must verify");
        byte[] payload = "overcast interop".getBytes();
        for (int seq = 1; seq <= 3; seq++) {
            send(t.seal(Icmp.echo(JAVA_TUN, GO_TUN, 8, 0x4242, seq, payload)));
            byte[] reply = receiveIcmp(t, 0);
            assertEquals(seq, Icmp.seq(reply));
            assertEquals(0x4242, Icmp.id(reply));
            assertArrayEquals(payload, Arrays.copyOfRange(reply, 28, reply.length));
        }
        String show = run("ip", "netns", "exec", ns, "wg", "show", wgIf, "transfer");
        assertTrue(!show.contains("\t0\t0"), "wg counts transfer: " + show);
    }

    @Test
    void wireguardGoInitiatesAndItsPingIsAnswered() throws Exception {
        Process ping = new ProcessBuilder(
                        "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.3", "-W", "3", "10.214.0.1")
                .redirectErrorStream(true)
                .start();
        Handshake hs = Handshake.responder(javaPriv, null);
        DatagramPacket init = receive();
        byte[] m = Arrays.copyOf(init.getData(), init.getLength());
        assertEquals(Messages.TYPE_INITIATION, Messages.type(m, m.length));
        assertTrue(hs.consumeInitiation(m, m.length, X25519.publicKey(goPriv)), "wireguard-go's initiation verifies");
        Handshake.Result r = hs.createResponse(0x0a0b0c0d);
        send(r.message());
        Transport t = r.transport();
        for (int answered = 0; answered < 3; answered++) {
            byte[] request = receiveIcmp(t, 8);
            byte[] payload = Arrays.copyOfRange(request, 28, request.length);
            send(t.seal(Icmp.echo(JAVA_TUN, GO_TUN, 0, Icmp.id(request), Icmp.seq(request), payload)));
        }
        assertTrue(ping.waitFor(15, TimeUnit.SECONDS));
        String out = new String(ping.getInputStream().readAllBytes());
        assertEquals(0, ping.exitValue(), out);
        assertTrue(out.contains("3 received"), out);
    }

    @Test
    void theKernelPingsThroughAJavaTunAndWireguardGo() throws Exception {
        Handshake hs = Handshake.initiator(javaPriv, X25519.publicKey(goPriv), null);
        send(hs.createInitiation(99, Instant.now()));
        DatagramPacket response = receive();
        Transport t = hs.consumeResponse(Arrays.copyOf(response.getData(), response.getLength()), response.getLength());
        assertNotNull(t);
        String tunName = "ovct" + tag;
        try (var tun = io.overcast.overlay.tun.TunDevice.open(tunName, 1420)) {
            cleanup.add(0, "ip link del " + tunName);
            run("ip", "addr", "add", "10.214.0.1/24", "dev", tunName);
            run("ip", "link", "set", tunName, "up");
            udp.setSoTimeout(0);
            Thread out = new Thread(() -> {
                byte[] buf = new byte[2048];
                try {
                    while (true) {
                        int n = tun.read(buf);
                        if (n > 0 && (buf[0] & 0xf0) == 0x40) { // IPv4 only; the kernel also sends IPv6 chatter
                            send(t.seal(Arrays.copyOf(buf, n)));
                        }
                    }
                } catch (IOException e) {
                    // device closed: the test is over
                }
            });
            Thread in = new Thread(() -> {
                try {
                    while (true) {
                        DatagramPacket p = receive();
                        byte[] plain = t.open(p.getData(), p.getLength());
                        if (plain != null && plain.length >= 20 && (plain[0] & 0xf0) == 0x40) {
                            tun.write(plain, Icmp.totalLength(plain));
                        }
                    }
                } catch (IOException e) {
                    // socket closed: the test is over
                }
            });
            out.setDaemon(true);
            in.setDaemon(true);
            out.start();
            in.start();
            String ping = run("ping", "-c", "3", "-i", "0.2", "-W", "3", "-I", tunName, "10.214.0.2");
            assertTrue(ping.contains("3 received"), ping);
        }
    }

    @Test
    void aPeerWithTheWrongKeyGetsNoAnswer() throws Exception {
        Handshake hs = Handshake.initiator(X25519.generatePrivate(), X25519.publicKey(goPriv), null);
        send(hs.createInitiation(7, Instant.now()));
        try {
            DatagramPacket p = receive();
            throw new AssertionError("wireguard-go answered an unknown peer with " + p.getLength() + " bytes");
        } catch (SocketTimeoutException expected) {
            // silence is the correct answer
        }
    }
}
