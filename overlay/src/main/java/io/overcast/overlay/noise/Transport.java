package io.overcast.overlay.noise;

import io.overcast.overlay.crypto.Aead;
import io.overcast.overlay.crypto.AeadContext;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.SecretKeySpec;

/**
 * The transport keys of one handshake: seals packets into type-4 messages and opens them, refusing replays.
 * Counters stop at REJECT_AFTER_MESSAGES; the session must be rekeyed well before (REKEY_AFTER_MESSAGES).
 */
public final class Transport {
    /**
     * The paper's limit is 2^64 - 2^13 - 1; counters here are signed longs, so they stop at 2^63 - 1, far beyond
     * what REKEY_AFTER_MESSAGES lets a session reach.
     */
    public static final long REJECT_AFTER_MESSAGES = Long.MAX_VALUE;

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;

    /** open() results other than a length. */
    public static final int NOT_AUTHENTIC = -1;

    public static final int REPLAYED = -2;

    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final SecretKeySpec sendSpec;
    private final SecretKeySpec receiveSpec;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos = System.nanoTime();
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow replay = new ReplayWindow();
    private volatile boolean zeroed;

    Transport(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator) {
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.sendSpec = new SecretKeySpec(sendKey, "ChaCha20");
        this.receiveSpec = new SecretKeySpec(receiveKey, "ChaCha20");
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
    }

    /** True for the side that sent the initiation: only it rekeys on age (the paper's rule against both rekeying). */
    public boolean initiator() {
        return initiator;
    }

    /** System.nanoTime() when the keys were derived. */
    public long createdNanos() {
        return createdNanos;
    }

    /** How many messages were sealed so far. */
    public long sent() {
        return sendCounter.get();
    }

    public boolean zeroed() {
        return zeroed;
    }

    /**
     * Seals {@code packet[0, length)} as a transport message into {@code out} (header at 0, ciphertext from 16);
     * returns the message length, or -1 when these keys may send no more. {@code packet} must have room for the
     * padding (up to 15 bytes after length); the padding is zeroed here.
     */
    public int seal(AeadContext aead, byte[] packet, int length, byte[] out) {
        long counter = sendCounter.getAndIncrement();
        if (counter >= REJECT_AFTER_MESSAGES || zeroed) {
            return -1;
        }
        int padded = (length + 15) & ~15;
        Arrays.fill(packet, length, padded, (byte) 0);
        out[0] = Messages.TYPE_TRANSPORT;
        out[1] = 0;
        out[2] = 0;
        out[3] = 0;
        Messages.putInt(out, 4, remoteIndex);
        Messages.putLong(out, 8, counter);
        return Messages.TRANSPORT_HEADER_SIZE
                + aead.seal(sendSpec, counter, packet, 0, padded, out, Messages.TRANSPORT_HEADER_SIZE);
    }

    /**
     * Opens a transport message addressed to these keys into {@code out}; the padded plaintext length (0: a
     * keepalive), {@link #NOT_AUTHENTIC} or {@link #REPLAYED}. The window only learns counters that authenticated.
     */
    public int open(AeadContext aead, byte[] m, int length, byte[] out) {
        if (length < Messages.TRANSPORT_MIN_SIZE
                || Messages.type(m, length) != Messages.TYPE_TRANSPORT
                || Messages.getInt(m, 4) != localIndex
                || zeroed) {
            return NOT_AUTHENTIC;
        }
        long counter = Messages.getLong(m, 8);
        if (counter < 0 || counter >= REJECT_AFTER_MESSAGES || !replay.mayAccept(counter)) {
            return REPLAYED;
        }
        int n = aead.open(
                receiveSpec,
                counter,
                m,
                Messages.TRANSPORT_HEADER_SIZE,
                length - Messages.TRANSPORT_HEADER_SIZE,
                out,
                0);
        if (n < 0) {
            return NOT_AUTHENTIC;
        }
        return replay.accept(counter, REJECT_AFTER_MESSAGES) ? n : REPLAYED;
    }

    /** Overwrites the key bytes; the keys refuse to seal or open afterwards. */
    public void zero() {
        zeroed = true;
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
        try {
            sendSpec.destroy();
            receiveSpec.destroy();
        } catch (javax.security.auth.DestroyFailedException e) {
            // JDK 17's SecretKeySpec cannot destroy its copy; the spec is unreachable once the keypair is dropped
        }
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    /** A transport message carrying the packet (empty: a keepalive), padded to 16 bytes inside the encryption. */
    public byte[] seal(byte[] packet) {
        long counter = sendCounter.getAndIncrement();
        if (counter >= REJECT_AFTER_MESSAGES) {
            throw new IllegalStateException("transport keys exhausted");
        }
        int padded = (packet.length + 15) & ~15;
        byte[] plain = Arrays.copyOf(packet, padded);
        byte[] sealed = Aead.seal(sendKey, counter, plain, null);
        byte[] m = new byte[Messages.TRANSPORT_HEADER_SIZE + sealed.length];
        m[0] = Messages.TYPE_TRANSPORT;
        Messages.putInt(m, 4, remoteIndex);
        Messages.putLong(m, 8, counter);
        System.arraycopy(sealed, 0, m, Messages.TRANSPORT_HEADER_SIZE, sealed.length);
        return m;
    }

    /** The padded packet, or null when the message is not ours, does not authenticate or is a replay. */
    public byte[] open(byte[] m, int length) {
        if (length < Messages.TRANSPORT_MIN_SIZE
                || Messages.type(m, length) != Messages.TYPE_TRANSPORT
                || Messages.getInt(m, 4) != localIndex) {
            return null;
        }
        long counter = Messages.getLong(m, 8);
        byte[] plain = Aead.open(
                receiveKey, counter, m, Messages.TRANSPORT_HEADER_SIZE, length - Messages.TRANSPORT_HEADER_SIZE, null);
        // The counter is committed to the window only once the packet authenticated.
        if (plain == null || !replay.accept(counter, REJECT_AFTER_MESSAGES)) {
            return null;
        }
        return plain;
    }
}
