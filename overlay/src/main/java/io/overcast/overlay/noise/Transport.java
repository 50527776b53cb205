package io.overcast.overlay.noise;

import io.overcast.overlay.crypto.Aead;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

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

    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow replay = new ReplayWindow();

    Transport(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex) {
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
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
