package io.overcast.overlay.noise;

import io.overcast.overlay.crypto.Aead;
import io.overcast.overlay.crypto.Blake2s;
import io.overcast.overlay.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;

/**
 * One side of a Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake with WireGuard's construction, identifier and
 * MACs (WireGuard paper, section 5.4). The state is explicit and each step checks it; a message that fails any
 * check returns null and leaves the state as it was. Key material that is no longer needed is zeroed.
 */
public final class Handshake {
    static final byte[] CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(CONSTRUCTION);
    static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, IDENTIFIER);

    public enum State {
        NEW,
        INITIATION_SENT,
        INITIATION_CONSUMED,
        ESTABLISHED
    }

    private final byte[] localPrivate;
    private final byte[] localPublic;
    private byte[] remotePublic;
    private byte[] presharedKey;
    private State state = State.NEW;
    private byte[] chainKey;
    private byte[] hash;
    private byte[] localEphemeral;
    private byte[] remoteEphemeral;
    private int localIndex;
    private int remoteIndex;
    private byte[] remoteTimestamp;

    private Handshake(byte[] localPrivate, byte[] remotePublic, byte[] presharedKey) {
        this.localPrivate = localPrivate.clone();
        this.localPublic = X25519.publicKey(localPrivate);
        this.remotePublic = remotePublic == null ? null : remotePublic.clone();
        this.presharedKey = presharedKey == null ? new byte[32] : presharedKey.clone();
    }

    /** The initiator's side, towards a peer whose public key is known. */
    public static Handshake initiator(byte[] localPrivate, byte[] remotePublic, byte[] presharedKey) {
        return new Handshake(localPrivate, remotePublic, presharedKey);
    }

    /** The responder's side; the peer is learnt from the initiation. */
    public static Handshake responder(byte[] localPrivate, byte[] presharedKey) {
        return new Handshake(localPrivate, null, presharedKey);
    }

    public State state() {
        return state;
    }

    public int localIndex() {
        return localIndex;
    }

    public byte[] remotePublic() {
        return remotePublic == null ? null : remotePublic.clone();
    }

    /** The timestamp of the last initiation consumed: a later one must be newer (replay protection). */
    public byte[] remoteTimestamp() {
        return remoteTimestamp == null ? null : remoteTimestamp.clone();
    }

    private void mixHash(byte[] data) {
        hash = Blake2s.hash(hash, data);
    }

    private byte[] mixKey(byte[] input) {
        byte[][] k = Blake2s.kdf(2, chainKey, input);
        chainKey = k[0];
        return k[1];
    }

    static byte[] mac1Key(byte[] receiverPublic) {
        return Blake2s.hash(LABEL_MAC1, receiverPublic);
    }

    /** Builds a 148-byte initiation with the given sender index and timestamp (mac2 zero: no cookie). */
    public byte[] createInitiation(int senderIndex, Instant now) {
        if (state != State.NEW && state != State.INITIATION_SENT) {
            throw new IllegalStateException("cannot initiate in state " + state);
        }
        localIndex = senderIndex;
        chainKey = INITIAL_CHAIN_KEY.clone();
        hash = INITIAL_HASH.clone();
        mixHash(remotePublic);
        localEphemeral = X25519.generatePrivate();
        byte[] ephemeralPublic = X25519.publicKey(localEphemeral);
        chainKey = Blake2s.kdf(1, chainKey, ephemeralPublic)[0];
        mixHash(ephemeralPublic);
        byte[] key = mixKey(X25519.sharedSecret(localEphemeral, remotePublic));
        byte[] encStatic = Aead.seal(key, 0, localPublic, hash);
        mixHash(encStatic);
        key = mixKey(X25519.sharedSecret(localPrivate, remotePublic));
        byte[] encTimestamp = Aead.seal(key, 0, Tai64n.whitened(now), hash);
        mixHash(encTimestamp);
        Arrays.fill(key, (byte) 0);

        byte[] m = new byte[Messages.INITIATION_SIZE];
        m[0] = Messages.TYPE_INITIATION;
        Messages.putInt(m, 4, senderIndex);
        System.arraycopy(ephemeralPublic, 0, m, 8, 32);
        System.arraycopy(encStatic, 0, m, 40, 48);
        System.arraycopy(encTimestamp, 0, m, 88, 28);
        System.arraycopy(Blake2s.mac(mac1Key(remotePublic), m, 0, 116), 0, m, 116, 16);
        state = State.INITIATION_SENT;
        return m;
    }

    /** What the responder knows of a peer once the initiation revealed its static key. */
    public record Known(byte[] presharedKey, byte[] lastTimestamp) {}

    /**
     * Consumes an initiation addressed to us; false (state unchanged) if its MAC1, static key, timestamp or
     * size is wrong. {@code expectedPeer}, when not null, must be the initiator's static key.
     */
    public boolean consumeInitiation(byte[] m, int length, byte[] expectedPeer) {
        return consumeInitiationFrom(
                m,
                length,
                peer -> expectedPeer == null || MessageDigest.isEqual(peer, expectedPeer)
                        ? new Known(presharedKey, remoteTimestamp)
                        : null);
    }

    /**
     * Consumes an initiation, asking {@code peers} about the static key it carries: null refuses an unknown peer,
     * otherwise its preshared key is used for the response and the timestamp must be newer than its last one.
     */
    public boolean consumeInitiationFrom(byte[] m, int length, java.util.function.Function<byte[], Known> peers) {
        if (length != Messages.INITIATION_SIZE || Messages.type(m, length) != Messages.TYPE_INITIATION) {
            return false;
        }
        if (!MessageDigest.isEqual(Blake2s.mac(mac1Key(localPublic), m, 0, 116), Arrays.copyOfRange(m, 116, 132))) {
            return false;
        }
        byte[] ck = INITIAL_CHAIN_KEY.clone();
        byte[] h = Blake2s.hash(INITIAL_HASH, localPublic);
        byte[] ephemeral = Arrays.copyOfRange(m, 8, 40);
        ck = Blake2s.kdf(1, ck, ephemeral)[0];
        h = Blake2s.hash(h, ephemeral);
        byte[][] k = Blake2s.kdf(2, ck, X25519.sharedSecret(localPrivate, ephemeral));
        byte[] encStatic = Arrays.copyOfRange(m, 40, 88);
        byte[] peer = Aead.open(k[1], 0, encStatic, 0, encStatic.length, h);
        Known known = peer == null ? null : peers.apply(peer);
        if (known == null) {
            return false;
        }
        h = Blake2s.hash(h, encStatic);
        k = Blake2s.kdf(2, k[0], X25519.sharedSecret(localPrivate, peer));
        byte[] encTimestamp = Arrays.copyOfRange(m, 88, 116);
        byte[] timestamp = Aead.open(k[1], 0, encTimestamp, 0, encTimestamp.length, h);
        if (timestamp == null
                || (known.lastTimestamp() != null && Tai64n.compare(timestamp, known.lastTimestamp()) <= 0)) {
            return false;
        }
        h = Blake2s.hash(h, encTimestamp);
        chainKey = k[0];
        hash = h;
        remotePublic = peer;
        remoteEphemeral = ephemeral;
        remoteTimestamp = timestamp;
        remoteIndex = Messages.getInt(m, 4);
        if (known.presharedKey() != null) {
            presharedKey = known.presharedKey().clone();
        }
        state = State.INITIATION_CONSUMED;
        return true;
    }

    /** Builds the 92-byte response and returns it with the transport keys; only after an initiation. */
    public Result createResponse(int senderIndex) {
        if (state != State.INITIATION_CONSUMED) {
            throw new IllegalStateException("cannot respond in state " + state);
        }
        localIndex = senderIndex;
        localEphemeral = X25519.generatePrivate();
        byte[] ephemeralPublic = X25519.publicKey(localEphemeral);
        chainKey = Blake2s.kdf(1, chainKey, ephemeralPublic)[0];
        mixHash(ephemeralPublic);
        chainKey = Blake2s.kdf(1, chainKey, X25519.sharedSecret(localEphemeral, remoteEphemeral))[0];
        chainKey = Blake2s.kdf(1, chainKey, X25519.sharedSecret(localEphemeral, remotePublic))[0];
        byte[][] k = Blake2s.kdf(3, chainKey, presharedKey);
        chainKey = k[0];
        mixHash(k[1]);
        byte[] empty = Aead.seal(k[2], 0, new byte[0], hash);
        mixHash(empty);

        byte[] m = new byte[Messages.RESPONSE_SIZE];
        m[0] = Messages.TYPE_RESPONSE;
        Messages.putInt(m, 4, senderIndex);
        Messages.putInt(m, 8, remoteIndex);
        System.arraycopy(ephemeralPublic, 0, m, 12, 32);
        System.arraycopy(empty, 0, m, 44, 16);
        System.arraycopy(Blake2s.mac(mac1Key(remotePublic), m, 0, 60), 0, m, 60, 16);
        return new Result(m, finish(false));
    }

    /** Consumes the response to our initiation; null (state unchanged) when anything does not check out. */
    public Transport consumeResponse(byte[] m, int length) {
        if (state != State.INITIATION_SENT
                || length != Messages.RESPONSE_SIZE
                || Messages.type(m, length) != Messages.TYPE_RESPONSE
                || Messages.getInt(m, 8) != localIndex) {
            return null;
        }
        if (!MessageDigest.isEqual(Blake2s.mac(mac1Key(localPublic), m, 0, 60), Arrays.copyOfRange(m, 60, 76))) {
            return null;
        }
        byte[] ephemeral = Arrays.copyOfRange(m, 12, 44);
        byte[] ck = Blake2s.kdf(1, chainKey, ephemeral)[0];
        byte[] h = Blake2s.hash(hash, ephemeral);
        ck = Blake2s.kdf(1, ck, X25519.sharedSecret(localEphemeral, ephemeral))[0];
        ck = Blake2s.kdf(1, ck, X25519.sharedSecret(localPrivate, ephemeral))[0];
        byte[][] k = Blake2s.kdf(3, ck, presharedKey);
        h = Blake2s.hash(h, k[1]);
        byte[] empty = Aead.open(k[2], 0, m, 44, 16, h);
        if (empty == null) {
            return null;
        }
        chainKey = k[0];
        hash = Blake2s.hash(h, Arrays.copyOfRange(m, 44, 60));
        remoteIndex = Messages.getInt(m, 4);
        return finish(true);
    }

    /** Forgets the ephemeral and chaining state of an attempt that will not complete. */
    public void zero() {
        for (byte[] b : new byte[][] {chainKey, hash, localEphemeral}) {
            if (b != null) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    private Transport finish(boolean initiator) {
        byte[][] k = Blake2s.kdf(2, chainKey, new byte[0]);
        Transport t = initiator
                ? new Transport(k[0], k[1], localIndex, remoteIndex, true)
                : new Transport(k[1], k[0], localIndex, remoteIndex, false);
        Arrays.fill(chainKey, (byte) 0);
        Arrays.fill(hash, (byte) 0);
        Arrays.fill(localEphemeral, (byte) 0);
        state = State.ESTABLISHED;
        return t;
    }

    /** A response message and the keys it established. */
    public record Result(byte[] message, Transport transport) {}
}
