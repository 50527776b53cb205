package io.overcast.overlay.device;

import io.overcast.overlay.crypto.AeadContext;
import io.overcast.overlay.crypto.X25519;
import io.overcast.overlay.noise.Handshake;
import io.overcast.overlay.noise.Messages;
import io.overcast.overlay.noise.Tai64n;
import io.overcast.overlay.noise.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A WireGuard interface: a TUN device, a bind (UDP), a private key and peers with allowed IPs. Threads:
 *
 * <ul>
 *   <li>{@code overlay-tun}: reads clear packets, routes by destination (cryptokey routing), seals, sends;
 *   <li>{@code overlay-udp}: receives, opens transport messages, checks the source against the sender's allowed IPs,
 *       writes to the TUN; handshake messages with a valid MAC1 go to a bounded queue;
 *   <li>{@code overlay-handshake}: initiations and responses (the expensive Curve25519 work), cookie replies and
 *       per-source rate limiting when the queue is filling up (under load);
 *   <li>{@code overlay-timers}: the protocol's timers, and initiations (kept off the data path).
 * </ul>
 *
 * The two data threads reuse their buffers and cipher; nothing a peer sends can throw out of a loop: every bad
 * packet is dropped and counted by {@link Drop}. Configuration changes hold one lock and are applied whole by
 * {@link #configure}.
 */
public final class Device implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.overcast.overlay");
    static final int MAX_PACKET = 65535;
    private static final int HANDSHAKE_QUEUE = 1024;
    private static final long UNDER_LOAD_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What an index names: a handshake in flight or a keypair, and its peer. */
    record Slot(Peer peer, Handshake handshake, Transport keypair) {}

    private record Inbound(byte[] message, InetSocketAddress from) {}

    /** A thread's scratch space for sending: the plaintext buffer, the message buffer and a cipher. */
    private static final class Scratch {
        final AeadContext aead = new AeadContext();
        final byte[] packet = new byte[MAX_PACKET + 16];
        final byte[] message = new byte[MAX_PACKET + 48];
        final ByteBuffer messageBuffer = ByteBuffer.wrap(message);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final SecureRandom RANDOM = new SecureRandom();

    final Timing timing;
    final ScheduledThreadPoolExecutor timers;
    private final Tun tun;
    private final Bind.Factory bindFactory;
    private volatile Bind bind;
    private final Object configLock = new Object();
    private volatile byte[] privateKey;
    private volatile byte[] publicKey;
    private volatile Cookies.Checker checker;
    private volatile int listenPort;
    private volatile int fwmark;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    final AllowedIps allowedIps = new AllowedIps();
    private final ConcurrentHashMap<Integer, Slot> indices = new ConcurrentHashMap<>();
    private final ArrayBlockingQueue<Inbound> handshakes = new ArrayBlockingQueue<>(HANDSHAKE_QUEUE);
    private final RateLimiter limiter = new RateLimiter();
    private volatile long underLoadUntil;
    private final EnumMap<Drop, LongAdder> drops = new EnumMap<>(Drop.class);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;
    private final AtomicBoolean started = new AtomicBoolean();

    public Device(Tun tun, Bind.Factory bindFactory, Timing timing) {
        this.tun = tun;
        this.bindFactory = bindFactory;
        this.timing = timing;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "overlay-timers"));
        this.timers.setRemoveOnCancelPolicy(true);
        for (Drop d : Drop.values()) {
            drops.put(d, new LongAdder());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Opens the bind (on the configured port, 0 for any) and starts the threads. */
    public void start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        bind = bindFactory.open(listenPort);
        listenPort = bind.port();
        for (var t : List.of(
                daemon(this::tunLoop, "overlay-tun"),
                daemon(this::udpLoop, "overlay-udp"),
                daemon(this::handshakeLoop, "overlay-handshake"))) {
            threads.add(t);
            t.start();
        }
        timers.scheduleAtFixedRate(() -> limiter.sweep(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
    }

    public String name() {
        return tun.name();
    }

    public boolean closed() {
        return closed;
    }

    public long dropped(Drop reason) {
        return drops.get(reason).sum();
    }

    public Map<Drop, Long> drops() {
        Map<Drop, Long> m = new EnumMap<>(Drop.class);
        drops.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private void drop(Drop reason) {
        drops.get(reason).increment();
    }

    // ---------------------------------------------------------------- configuration

    /** The current configuration, for `wg show` and the library. */
    public Config.Snapshot snapshot() {
        synchronized (configLock) {
            List<Config.PeerState> ps = new ArrayList<>();
            for (Peer p : peers.values()) {
                ps.add(new Config.PeerState(
                        p.publicKey(),
                        p.presharedKey(),
                        p.endpoint,
                        p.persistentKeepaliveSeconds,
                        p.lastHandshakeEpochNanos,
                        p.rxBytes(),
                        p.txBytes(),
                        allowedIps.prefixesOf(p)));
            }
            byte[] key = privateKey;
            return new Config.Snapshot(key == null ? null : key.clone(), listenPort, fwmark, ps);
        }
    }

    public Collection<Peer> peers() {
        return List.copyOf(peers.values());
    }

    public Peer peer(byte[] publicKey) {
        return peers.get(HexFormat.of().formatHex(publicKey));
    }

    /**
     * Applies a validated change as a whole (the UAPI "set" and the library both come here). A port that cannot be
     * bound fails the change before anything else is touched.
     */
    public void configure(Config.Change change) throws IOException {
        synchronized (configLock) {
            if (change.listenPort() != null && change.listenPort() != listenPort && started.get()) {
                Bind fresh = bindFactory.open(change.listenPort());
                Bind old = bind;
                bind = fresh;
                listenPort = fresh.port();
                old.close();
            } else if (change.listenPort() != null) {
                listenPort = change.listenPort();
            }
            if (change.fwmark() != null) {
                fwmark = change.fwmark();
            }
            if (change.privateKey() != null) {
                setPrivateKey(change.privateKey());
            }
            if (change.replacePeers()) {
                for (Peer p : List.copyOf(peers.values())) {
                    removePeer(p);
                }
            }
            List<Peer> keepaliveNow = new ArrayList<>();
            for (Config.PeerChange pc : change.peers()) {
                byte[] pub = publicKey;
                if (pub != null && java.util.Arrays.equals(pub, pc.publicKey())) {
                    continue; // a peer with our own key is ignored, as wireguard-go does
                }
                String id = HexFormat.of().formatHex(pc.publicKey());
                Peer p = peers.get(id);
                if (pc.remove()) {
                    if (p != null) {
                        removePeer(p);
                    }
                    continue;
                }
                if (p == null) {
                    if (pc.updateOnly()) {
                        continue;
                    }
                    p = new Peer(this, pc.publicKey());
                    peers.put(id, p);
                }
                if (pc.presharedKey() != null) {
                    p.presharedKey(pc.presharedKey());
                }
                if (pc.endpoint() != null) {
                    p.endpoint = pc.endpoint();
                }
                if (pc.persistentKeepalive() != null) {
                    int old = p.persistentKeepaliveSeconds;
                    p.persistentKeepaliveSeconds = pc.persistentKeepalive();
                    if (old == 0 && pc.persistentKeepalive() > 0) {
                        keepaliveNow.add(p);
                    }
                }
                if (pc.replaceAllowedIps()) {
                    allowedIps.removePeer(p);
                }
                for (AllowedIps.Prefix prefix : pc.allowedIps()) {
                    allowedIps.insert(prefix, p);
                }
            }
            if (started.get()) {
                for (Peer p : keepaliveNow) {
                    timers.execute(() -> sendKeepalive(p));
                }
            }
        }
    }

    private void setPrivateKey(byte[] key) {
        boolean zero = java.util.Arrays.equals(key, new byte[32]);
        byte[] pub = zero ? null : X25519.publicKey(key);
        privateKey = zero ? null : key.clone();
        publicKey = pub;
        checker = pub == null
                ? null
                : new Cookies.Checker(pub, timing.cookieRefreshTime().toNanos());
        for (Peer p : List.copyOf(peers.values())) {
            if (pub != null && java.util.Arrays.equals(p.publicKey, pub)) {
                removePeer(p);
            } else {
                p.zeroAll();
            }
        }
    }

    private void removePeer(Peer p) {
        p.removed = true;
        peers.remove(HexFormat.of().formatHex(p.publicKey));
        allowedIps.removePeer(p);
        for (Timer t : List.of(
                p.retransmitHandshake, p.sendKeepalive, p.newHandshake, p.zeroKeyMaterial, p.persistentKeepalive)) {
            t.del();
        }
        p.zeroAll();
    }

    // ---------------------------------------------------------------- indices and keys

    private int allocateIndex(Slot slot) {
        while (true) {
            int i = RANDOM.nextInt();
            if (indices.putIfAbsent(i, slot) == null) {
                return i;
            }
        }
    }

    /** Zeroes a keypair that left every slot and forgets its index. */
    void retire(Transport t) {
        if (t != null) {
            indices.remove(t.localIndex());
            t.zero();
        }
    }

    void forgetHandshake(Peer p, Handshake h) {
        Slot s = indices.get(h.localIndex());
        if (s != null && s.handshake() == h) {
            indices.remove(h.localIndex(), s);
        }
    }

    private boolean usable(Transport t, long now) {
        return t != null
                && !t.zeroed()
                && now - t.createdNanos() < timing.rejectAfterTime().toNanos()
                && t.sent() < timing.rejectAfterMessages();
    }

    // ---------------------------------------------------------------- sending

    private void tunLoop() {
        Scratch s = SCRATCH.get();
        while (!closed) {
            int n;
            try {
                n = tun.read(s.packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "TUN " + tun.name() + " failed, closing: " + e.getMessage());
                    close();
                }
                return;
            }
            try {
                routeOutbound(s, n);
            } catch (RuntimeException e) {
                drop(Drop.INTERNAL);
                LOG.log(System.Logger.Level.ERROR, "outbound packet handling failed", e);
            }
        }
    }

    /** Cryptokey routing of one clear packet in s.packet to the peer whose allowed IPs hold its destination. */
    void routeOutbound(Scratch s, int n) {
        byte[] p = s.packet;
        Peer peer;
        if (n >= 20 && (p[0] & 0xf0) == 0x40) {
            peer = allowedIps.lookup(p, 16, 4);
        } else if (n >= 40 && (p[0] & 0xf0) == 0x60) {
            peer = allowedIps.lookup(p, 24, 16);
        } else {
            drop(Drop.MALFORMED_INNER);
            return;
        }
        if (peer == null) {
            drop(Drop.NO_ROUTE);
            return;
        }
        sendPacket(peer, s, n);
    }

    /** Seals and sends s.packet[0, n) (n = 0: a keepalive) to the peer, or stages it and starts a handshake. */
    private void sendPacket(Peer peer, Scratch s, int n) {
        long now = System.nanoTime();
        Transport kp = peer.current;
        InetSocketAddress to = peer.endpoint;
        if (!usable(kp, now)) {
            peer.stage(s.packet, n);
            initiate(peer);
            return;
        }
        if (to == null) {
            drop(Drop.NO_ENDPOINT);
            return;
        }
        int len = kp.seal(s.aead, s.packet, n, s.message);
        if (len < 0) {
            peer.stage(s.packet, n);
            initiate(peer);
            return;
        }
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketSent(peer);
        if (!transmit(s.messageBuffer, len, to)) {
            return;
        }
        peer.txBytes.addAndGet(len);
        if (n > 0) {
            timersDataSent(peer);
        }
        if (kp.initiator()
                && (now - kp.createdNanos() > timing.rekeyAfterTime().toNanos()
                        || kp.sent() > timing.rekeyAfterMessages())) {
            initiate(peer);
        }
    }

    private boolean transmit(ByteBuffer b, int len, InetSocketAddress to) {
        b.clear().limit(len);
        Bind out = bind;
        if (out == null) {
            drop(Drop.IO_ERROR);
            return false;
        }
        try {
            out.send(b, to);
            return true;
        } catch (IOException e) {
            drop(Drop.IO_ERROR);
            return false;
        }
    }

    private boolean transmit(byte[] m, InetSocketAddress to) {
        return transmit(ByteBuffer.wrap(m), m.length, to);
    }

    /** Asks the timer thread for an initiation (at most one queued per peer), keeping X25519 off the data path. */
    private void initiate(Peer peer) {
        if (peer.initiationQueued.compareAndSet(false, true)) {
            try {
                timers.execute(() -> {
                    peer.initiationQueued.set(false);
                    sendInitiation(peer, false);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                peer.initiationQueued.set(false); // closing
            }
        }
    }

    void sendInitiation(Peer peer, boolean retry) {
        byte[] m;
        InetSocketAddress to;
        byte[] key = privateKey;
        synchronized (peer) {
            if (!retry) {
                peer.handshakeAttempts.set(0);
            }
            long now = System.nanoTime();
            if (peer.lastSentHandshakeNanos != 0
                    && now - peer.lastSentHandshakeNanos < timing.rekeyTimeout().toNanos()) {
                return;
            }
            to = peer.endpoint;
            if (to == null || key == null || peer.removed) {
                return;
            }
            peer.lastSentHandshakeNanos = now;
            if (peer.handshake != null) {
                forgetHandshake(peer, peer.handshake);
                peer.handshake.zero();
            }
            Handshake h = Handshake.initiator(key, peer.publicKey, peer.presharedKey());
            int index = allocateIndex(new Slot(peer, h, null));
            m = h.createInitiation(index, Instant.now());
            peer.handshake = h;
        }
        peer.cookies.addMacs(m);
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketSent(peer);
        if (transmit(m, to)) {
            peer.txBytes.addAndGet(m.length);
        }
        timersHandshakeInitiated(peer);
    }

    void sendKeepalive(Peer peer) {
        sendPacket(peer, SCRATCH.get(), 0);
    }

    /** Sends the packets staged while the peer had no session; with none, a keepalive if asked for one. */
    private void sendStaged(Peer peer, boolean keepaliveIfNone) {
        Scratch s = SCRATCH.get();
        byte[] p;
        boolean any = false;
        while ((p = peer.unstage()) != null) {
            System.arraycopy(p, 0, s.packet, 0, p.length);
            sendPacket(peer, s, p.length);
            any = true;
        }
        if (!any && keepaliveIfNone) {
            sendPacket(peer, s, 0);
        }
    }

    // ---------------------------------------------------------------- receiving

    private void udpLoop() {
        AeadContext aead = new AeadContext();
        byte[] in = new byte[MAX_PACKET + 64];
        ByteBuffer inBuffer = ByteBuffer.wrap(in);
        byte[] plain = new byte[MAX_PACKET + 64];
        int failures = 0;
        while (!closed) {
            Bind b = bind;
            inBuffer.clear();
            InetSocketAddress from;
            try {
                from = b.receive(inBuffer);
                failures = 0;
            } catch (IOException e) {
                if (closed || b != bind) {
                    continue; // closing, or the port changed and a new bind took over
                }
                if (++failures > 100) {
                    LOG.log(System.Logger.Level.ERROR, "the socket keeps failing, closing: " + e.getMessage());
                    close();
                    return;
                }
                continue;
            }
            if (from == null) {
                continue;
            }
            try {
                receive(in, inBuffer.position(), from, aead, plain);
            } catch (RuntimeException e) {
                drop(Drop.INTERNAL);
                LOG.log(System.Logger.Level.ERROR, "inbound packet handling failed", e);
            }
        }
    }

    /** Handles one datagram: never throws for anything a peer can send, and never changes state on bad input. */
    void receive(byte[] m, int len, InetSocketAddress from, AeadContext aead, byte[] plain) {
        int type = Messages.type(m, len);
        switch (type) {
            case Messages.TYPE_TRANSPORT -> {
                if (len < Messages.TRANSPORT_MIN_SIZE) {
                    drop(Drop.MALFORMED);
                } else {
                    receiveTransport(m, len, from, aead, plain);
                }
            }
            case Messages.TYPE_INITIATION, Messages.TYPE_RESPONSE -> {
                int size = type == Messages.TYPE_INITIATION ? Messages.INITIATION_SIZE : Messages.RESPONSE_SIZE;
                Cookies.Checker c = checker;
                if (len != size) {
                    drop(Drop.MALFORMED);
                } else if (c == null || !c.checkMac1(m, len)) {
                    drop(Drop.BAD_MAC1);
                } else if (!handshakes.offer(new Inbound(java.util.Arrays.copyOf(m, len), from))) {
                    drop(Drop.QUEUE_FULL);
                }
            }
            case Messages.TYPE_COOKIE -> {
                Slot slot = len == Messages.COOKIE_SIZE ? indices.get(Messages.getInt(m, 4)) : null;
                if (len != Messages.COOKIE_SIZE) {
                    drop(Drop.MALFORMED);
                } else if (slot == null) {
                    drop(Drop.UNKNOWN_INDEX);
                } else if (!slot.peer().cookies.consumeReply(m, len)) {
                    drop(Drop.BAD_COOKIE);
                }
            }
            default -> drop(Drop.MALFORMED);
        }
    }

    private void receiveTransport(byte[] m, int len, InetSocketAddress from, AeadContext aead, byte[] plain) {
        Slot slot = indices.get(Messages.getInt(m, 4));
        if (slot == null || slot.keypair() == null) {
            drop(Drop.UNKNOWN_INDEX);
            return;
        }
        Transport kp = slot.keypair();
        Peer peer = slot.peer();
        long now = System.nanoTime();
        if (now - kp.createdNanos() >= timing.rejectAfterTime().toNanos()) {
            drop(Drop.EXPIRED_KEYS);
            return;
        }
        int n = kp.open(aead, m, len, plain);
        if (n == Transport.NOT_AUTHENTIC) {
            drop(Drop.NOT_AUTHENTIC);
            return;
        }
        if (n == Transport.REPLAYED) {
            drop(Drop.REPLAYED);
            return;
        }
        if (peer.next == kp && peer.confirm(kp)) {
            timersHandshakeComplete(peer);
            timers.execute(() -> sendStaged(peer, false));
        }
        if (!from.equals(peer.endpoint)) {
            peer.endpoint = from; // roaming: the peer moved, answer where it now speaks from
        }
        peer.rxBytes.addAndGet(len);
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketReceived(peer);
        if (kp == peer.current
                && kp.initiator()
                && !peer.sentLastMinuteHandshake
                && now - kp.createdNanos()
                        > timing.rejectAfterTime().toNanos()
                                - timing.keepaliveTimeout().toNanos()
                                - timing.rekeyTimeout().toNanos()) {
            peer.sentLastMinuteHandshake = true;
            initiate(peer);
        }
        if (n == 0) {
            return; // keepalive
        }
        int length;
        int source;
        int addressLength;
        if ((plain[0] & 0xf0) == 0x40 && n >= 20) {
            length = (plain[2] & 0xff) << 8 | (plain[3] & 0xff);
            source = 12;
            addressLength = 4;
        } else if ((plain[0] & 0xf0) == 0x60 && n >= 40) {
            length = 40 + ((plain[4] & 0xff) << 8 | (plain[5] & 0xff));
            source = 8;
            addressLength = 16;
        } else {
            drop(Drop.MALFORMED_INNER);
            return;
        }
        if (length < 20 || length > n) {
            drop(Drop.MALFORMED_INNER);
            return;
        }
        if (allowedIps.lookup(plain, source, addressLength) != peer) {
            drop(Drop.DISALLOWED_SOURCE);
            return;
        }
        timersDataReceived(peer);
        try {
            tun.write(plain, length);
        } catch (IOException e) {
            drop(Drop.IO_ERROR);
        }
    }

    private void handshakeLoop() {
        while (!closed) {
            Inbound in;
            try {
                in = handshakes.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (in == null) {
                continue;
            }
            try {
                handleHandshake(in.message(), in.from());
            } catch (RuntimeException e) {
                drop(Drop.INTERNAL);
                LOG.log(System.Logger.Level.ERROR, "handshake handling failed", e);
            }
        }
    }

    /** Tests: use a bind without starting the device's threads. */
    void attach(Bind b) {
        bind = b;
    }

    /** Tests: handle every queued handshake message on the calling thread; returns how many. */
    int drainHandshakes() {
        int n = 0;
        Inbound in;
        while ((in = handshakes.poll()) != null) {
            handleHandshake(in.message(), in.from());
            n++;
        }
        return n;
    }

    /** Tests: behave as under load (cookies, rate limits) for the given time. */
    void forceUnderLoad(long nanos) {
        underLoadUntil = System.nanoTime() + nanos;
    }

    int indexCount() {
        return indices.size();
    }

    /** The source as the cookie covers it: address bytes then the port, big-endian. */
    private static byte[] sourceBytes(InetSocketAddress from) {
        byte[] a = from.getAddress().getAddress();
        byte[] s = java.util.Arrays.copyOf(a, a.length + 2);
        s[a.length] = (byte) (from.getPort() >>> 8);
        s[a.length + 1] = (byte) from.getPort();
        return s;
    }

    /** Under load while the queue is an eighth full, and for a second after. */
    private boolean underLoad(long now) {
        if (handshakes.size() >= HANDSHAKE_QUEUE / 8) {
            underLoadUntil = now + UNDER_LOAD_HOLD_NANOS;
            return true;
        }
        return now - underLoadUntil < 0;
    }

    void handleHandshake(byte[] m, InetSocketAddress from) {
        Cookies.Checker c = checker;
        byte[] key = privateKey;
        if (c == null || key == null) {
            drop(Drop.HANDSHAKE_INVALID);
            return;
        }
        long now = System.nanoTime();
        if (underLoad(now)) {
            byte[] source = sourceBytes(from);
            if (!c.checkMac2(m, m.length, source)) {
                transmit(c.reply(m, m.length, source), from);
                drop(Drop.COOKIE_SENT);
                return;
            }
            if (!limiter.allow(from.getAddress().getAddress(), now)) {
                drop(Drop.RATE_LIMITED);
                return;
            }
        }
        if (Messages.type(m, m.length) == Messages.TYPE_INITIATION) {
            consumeInitiation(m, from, key, now);
        } else {
            consumeResponse(m, from);
        }
    }

    private void consumeInitiation(byte[] m, InetSocketAddress from, byte[] key, long now) {
        Handshake h = Handshake.responder(key, null);
        Peer[] found = new Peer[1];
        boolean ok = h.consumeInitiationFrom(m, m.length, pub -> {
            Peer p = peers.get(HexFormat.of().formatHex(pub));
            if (p == null) {
                return null;
            }
            found[0] = p;
            synchronized (p) {
                return new Handshake.Known(p.presharedKey(), p.lastTimestamp);
            }
        });
        if (!ok) {
            drop(Drop.HANDSHAKE_INVALID);
            return;
        }
        Peer peer = found[0];
        Handshake.Result r;
        synchronized (peer) {
            if (peer.removed
                    || (peer.lastTimestamp != null && Tai64n.compare(h.remoteTimestamp(), peer.lastTimestamp) <= 0)) {
                drop(Drop.HANDSHAKE_INVALID);
                return;
            }
            if (peer.lastInitiationConsumedNanos != 0
                    && now - peer.lastInitiationConsumedNanos
                            < timing.handshakeInitiationRate().toNanos()) {
                drop(Drop.HANDSHAKE_FLOOD);
                return;
            }
            peer.lastTimestamp = h.remoteTimestamp();
            peer.lastInitiationConsumedNanos = now;
            int index = allocateIndex(new Slot(peer, h, null));
            r = h.createResponse(index);
            indices.put(index, new Slot(peer, null, r.transport()));
            if (peer.handshake != null) {
                forgetHandshake(peer, peer.handshake);
                peer.handshake.zero();
                peer.handshake = null;
            }
            peer.installResponded(r.transport());
        }
        peer.endpoint = from;
        peer.rxBytes.addAndGet(m.length);
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketReceived(peer);
        byte[] response = r.message();
        peer.cookies.addMacs(response);
        timersSessionDerived(peer);
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketSent(peer);
        if (transmit(response, from)) {
            peer.txBytes.addAndGet(response.length);
        }
    }

    private void consumeResponse(byte[] m, InetSocketAddress from) {
        int index = Messages.getInt(m, 8);
        Slot slot = indices.get(index);
        if (slot == null || slot.handshake() == null) {
            drop(Drop.UNKNOWN_INDEX);
            return;
        }
        Peer peer = slot.peer();
        Transport t;
        synchronized (peer) {
            if (peer.handshake != slot.handshake()) {
                drop(Drop.UNKNOWN_INDEX);
                return;
            }
            t = slot.handshake().consumeResponse(m, m.length);
            if (t == null) {
                drop(Drop.HANDSHAKE_INVALID);
                return;
            }
            indices.put(index, new Slot(peer, null, t));
            peer.handshake = null;
            peer.installInitiated(t);
        }
        peer.endpoint = from;
        peer.rxBytes.addAndGet(m.length);
        timersAnyAuthenticatedPacketTraversal(peer);
        timersAnyAuthenticatedPacketReceived(peer);
        timersSessionDerived(peer);
        timersHandshakeComplete(peer);
        sendStaged(peer, true); // or a keepalive, which confirms the keys to the responder
    }

    // ---------------------------------------------------------------- timers (wireguard-go's timers.go)

    private long jitter() {
        return ThreadLocalRandom.current().nextLong(Timing.REKEY_TIMEOUT_JITTER_MAX_NANOS);
    }

    void expiredRetransmitHandshake(Peer peer) {
        if (peer.handshakeAttempts.get() > timing.maxHandshakeAttempts()) {
            peer.sendKeepalive.del();
            peer.flushStaged();
            if (!peer.zeroKeyMaterial.pending()) {
                peer.zeroKeyMaterial.mod(3 * timing.rejectAfterTime().toNanos());
            }
        } else {
            peer.handshakeAttempts.incrementAndGet();
            sendInitiation(peer, true);
        }
    }

    void expiredSendKeepalive(Peer peer) {
        sendKeepalive(peer);
        if (peer.needAnotherKeepalive) {
            peer.needAnotherKeepalive = false;
            peer.sendKeepalive.mod(timing.keepaliveTimeout().toNanos());
        }
    }

    void expiredNewHandshake(Peer peer) {
        sendInitiation(peer, false);
    }

    void expiredZeroKeyMaterial(Peer peer) {
        peer.zeroAll();
    }

    void expiredPersistentKeepalive(Peer peer) {
        if (peer.persistentKeepaliveSeconds > 0) {
            sendKeepalive(peer);
        }
    }

    private void timersDataSent(Peer peer) {
        if (!peer.newHandshake.pending()) {
            peer.newHandshake.mod(
                    timing.keepaliveTimeout().toNanos() + timing.rekeyTimeout().toNanos() + jitter());
        }
    }

    private void timersDataReceived(Peer peer) {
        if (!peer.sendKeepalive.pending()) {
            peer.sendKeepalive.mod(timing.keepaliveTimeout().toNanos());
        } else {
            peer.needAnotherKeepalive = true;
        }
    }

    private void timersAnyAuthenticatedPacketSent(Peer peer) {
        if (peer.sendKeepalive.pending()) {
            peer.sendKeepalive.del();
        }
    }

    private void timersAnyAuthenticatedPacketReceived(Peer peer) {
        if (peer.newHandshake.pending()) {
            peer.newHandshake.del();
        }
    }

    private void timersHandshakeInitiated(Peer peer) {
        peer.retransmitHandshake.mod(timing.rekeyTimeout().toNanos() + jitter());
    }

    private void timersHandshakeComplete(Peer peer) {
        peer.retransmitHandshake.del();
        peer.handshakeAttempts.set(0);
        peer.sentLastMinuteHandshake = false;
        Instant now = Instant.now();
        peer.lastHandshakeEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void timersSessionDerived(Peer peer) {
        peer.zeroKeyMaterial.mod(3 * timing.rejectAfterTime().toNanos());
    }

    private void timersAnyAuthenticatedPacketTraversal(Peer peer) {
        int k = peer.persistentKeepaliveSeconds;
        if (k > 0) {
            peer.persistentKeepalive.mod(TimeUnit.SECONDS.toNanos(k));
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timers.shutdownNow();
        try {
            Bind b = bind;
            if (b != null) {
                b.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            tun.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Peer p : List.copyOf(peers.values())) {
            p.zeroAll();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        byte[] k = privateKey;
        if (k != null) {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    /** Blocks until the device closes (its TUN went away, or close() was called). */
    public void awaitClosed() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }
}
