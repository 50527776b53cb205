package io.overcast.overlay.device;

import io.overcast.overlay.noise.Handshake;
import io.overcast.overlay.noise.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One remote peer of a {@link Device}: its static key and preshared key, endpoint, keypairs (current, previous, and
 * the responder's next keypair awaiting confirmation), the handshake in flight, transfer counters and the five
 * timers of the protocol. Keypair slots change under {@code this}; the data path reads them without locking.
 */
public final class Peer {
    /** Packets kept while no session exists, as wireguard-go does (its QueueStagedSize). */
    static final int MAX_STAGED = 128;

    final Device device;
    final byte[] publicKey;
    private volatile byte[] presharedKey = new byte[32];
    volatile InetSocketAddress endpoint;
    volatile int persistentKeepaliveSeconds;

    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    /** Wall-clock time of the last completed handshake, in epoch nanoseconds; 0 when none. */
    volatile long lastHandshakeEpochNanos;

    volatile Transport current;
    volatile Transport previous;
    volatile Transport next;

    /** Guarded by this. */
    Handshake handshake;
    /** Guarded by this: the newest initiation timestamp accepted from this peer, across handshakes. */
    byte[] lastTimestamp;
    /** Guarded by this. */
    long lastInitiationConsumedNanos;
    /** Guarded by this. */
    long lastSentHandshakeNanos;

    final Cookies.Generator cookies;
    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();

    final AtomicInteger handshakeAttempts = new AtomicInteger();
    /** An initiation is queued on the timer thread (at most one at a time). */
    final java.util.concurrent.atomic.AtomicBoolean initiationQueued = new java.util.concurrent.atomic.AtomicBoolean();

    volatile boolean needAnotherKeepalive;
    volatile boolean sentLastMinuteHandshake;
    volatile boolean removed;

    final Timer retransmitHandshake;
    final Timer sendKeepalive;
    final Timer newHandshake;
    final Timer zeroKeyMaterial;
    final Timer persistentKeepalive;

    Peer(Device device, byte[] publicKey) {
        this.device = device;
        this.publicKey = publicKey.clone();
        this.cookies = new Cookies.Generator(
                publicKey, device.timing.cookieRefreshTime().toNanos());
        var ex = device.timers;
        retransmitHandshake = new Timer(ex, () -> device.expiredRetransmitHandshake(this));
        sendKeepalive = new Timer(ex, () -> device.expiredSendKeepalive(this));
        newHandshake = new Timer(ex, () -> device.expiredNewHandshake(this));
        zeroKeyMaterial = new Timer(ex, () -> device.expiredZeroKeyMaterial(this));
        persistentKeepalive = new Timer(ex, () -> device.expiredPersistentKeepalive(this));
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] presharedKey() {
        return presharedKey.clone();
    }

    void presharedKey(byte[] key) {
        presharedKey = key.clone();
    }

    public InetSocketAddress endpoint() {
        return endpoint;
    }

    public int persistentKeepaliveSeconds() {
        return persistentKeepaliveSeconds;
    }

    public long rxBytes() {
        return rxBytes.get();
    }

    public long txBytes() {
        return txBytes.get();
    }

    /** Epoch nanoseconds of the last handshake, 0 when there was none. */
    public long lastHandshakeEpochNanos() {
        return lastHandshakeEpochNanos;
    }

    /** Keeps a copy of a packet sent while no session exists; the oldest goes when the queue is full. */
    synchronized void stage(byte[] packet, int length) {
        if (staged.size() >= MAX_STAGED) {
            staged.pollFirst();
        }
        staged.addLast(Arrays.copyOf(packet, length));
    }

    synchronized byte[] unstage() {
        return staged.pollFirst();
    }

    synchronized void flushStaged() {
        staged.clear();
    }

    /**
     * The initiator's new keypair is used at once; the old current stays as previous to open packets in flight
     * (wireguard-go's BeginSymmetricSession). Keypairs that leave every slot are zeroed and unindexed.
     */
    synchronized void installInitiated(Transport t) {
        Transport oldPrevious = previous;
        if (next != null) {
            previous = next;
            next = null;
            device.retire(current);
        } else {
            previous = current;
        }
        device.retire(oldPrevious);
        current = t;
    }

    /** The responder's new keypair waits as next until the initiator's first packet confirms it. */
    synchronized void installResponded(Transport t) {
        device.retire(next);
        device.retire(previous);
        previous = null;
        next = t;
    }

    /** Called when a packet arrives on the next keypair: it becomes current. True if it rotated now. */
    synchronized boolean confirm(Transport t) {
        if (next != t) {
            return false;
        }
        device.retire(previous);
        previous = current;
        current = t;
        next = null;
        return true;
    }

    synchronized void zeroAll() {
        device.retire(current);
        device.retire(previous);
        device.retire(next);
        current = null;
        previous = null;
        next = null;
        if (handshake != null) {
            device.forgetHandshake(this, handshake);
            handshake.zero();
            handshake = null;
        }
        staged.clear();
    }

    @Override
    public String toString() {
        String b64 = java.util.Base64.getEncoder().encodeToString(publicKey);
        return "peer(" + b64.substring(0, 4) + "…" + b64.substring(39, 43) + ")";
    }
}
