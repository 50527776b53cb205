package io.overcast.overlay.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.overcast.overlay.crypto.AeadContext;
import io.overcast.overlay.crypto.X25519;
import io.overcast.overlay.device.MemoryIo.MemoryTun;
import io.overcast.overlay.device.MemoryIo.PipeBind;
import io.overcast.overlay.noise.Handshake;
import io.overcast.overlay.noise.Transport;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated packets against a device's receive path and its handshake processing: every one is dropped,
 * counted exactly once, never throws, and leaves the session as it was (keypairs, handshake, replay state of the
 * timestamp, endpoint, indices; nothing reaches the TUN or the wire). The seeds are a real initiation and transport
 * message from an established session, so mutations reach deep into MAC, AEAD, replay and routing checks.
 * Tries: 4000 per property in the test command, more in the benchmark command (-Djqwik.tries.default=...).
 */
class PacketFuzzTest {
    private static Device device;
    private static MemoryTun tun;
    private static PipeBind bind;
    private static Peer peer;
    private static byte[] initiation;
    private static byte[] transport;
    private static byte[] cookieLike;
    private static final InetSocketAddress FROM = new InetSocketAddress("198.51.100.7", 4444);
    private static final AeadContext AEAD = new AeadContext();
    private static final byte[] PLAIN = new byte[Device.MAX_PACKET + 64];

    @BeforeContainer
    static void establish() throws Exception {
        byte[] keyA = X25519.generatePrivate();
        byte[] keyB = X25519.generatePrivate();
        PipeBind[] pipe = PipeBind.pair();
        tun = new MemoryTun();
        bind = pipe[1];
        // the protocol's own timers would send a keepalive 10 s after the seed packet; that is not the fuzzer's doing
        Timing standard = Timing.standard();
        Timing quiet = new Timing(
                standard.rekeyAfterTime(),
                standard.rejectAfterTime(),
                standard.rekeyAttemptTime(),
                standard.rekeyTimeout(),
                java.time.Duration.ofHours(1),
                standard.cookieRefreshTime(),
                standard.handshakeInitiationRate(),
                standard.rekeyAfterMessages(),
                standard.rejectAfterMessages());
        device = new Device(tun, port -> bind, quiet);
        device.configure(new Config.Change(
                keyB,
                null,
                null,
                false,
                List.of(new Config.PeerChange(
                        X25519.publicKey(keyA),
                        false,
                        false,
                        null,
                        pipe[0].address,
                        null,
                        false,
                        List.of(AllowedIps.Prefix.parse("10.9.0.1/32"))))));
        device.attach(bind);
        Handshake a = Handshake.initiator(keyA, X25519.publicKey(keyB), null);
        initiation = a.createInitiation(0x11223344, Instant.now());
        device.receive(initiation.clone(), initiation.length, pipe[0].address, AEAD, PLAIN);
        device.drainHandshakes();
        byte[] response = bind.sent.take().data();
        Transport t = a.consumeResponse(response, response.length);
        transport = t.seal(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", "seed".getBytes()));
        device.receive(transport.clone(), transport.length, pipe[0].address, AEAD, PLAIN);
        tun.toKernel.take();
        peer = device.peer(X25519.publicKey(keyA));
        cookieLike = new byte[64];
        cookieLike[0] = 3;
        System.arraycopy(response, 4, cookieLike, 4, 4); // names the device's live index
    }

    private record State(
            Object current,
            Object previous,
            Object next,
            Object handshake,
            String lastTimestamp,
            Object endpoint,
            int indices,
            int tunWrites,
            int sends) {}

    private static State state() {
        return new State(
                peer.current,
                peer.previous,
                peer.next,
                peer.handshake,
                Arrays.toString(peer.lastTimestamp),
                peer.endpoint,
                device.indexCount(),
                tun.toKernel.size(),
                bind.sent.size());
    }

    private static long totalDrops() {
        return device.drops().values().stream().mapToLong(Long::longValue).sum();
    }

    private static void assertDroppedOnce(byte[] m) {
        State before = state();
        long drops = totalDrops();
        device.receive(m, m.length, FROM, AEAD, PLAIN);
        device.drainHandshakes();
        assertEquals(drops + 1, totalDrops(), "dropped and counted once: " + device.drops());
        assertEquals(before, state(), "the session did not change");
        assertEquals(0, device.dropped(Drop.INTERNAL));
    }

    @Property
    void randomBytesAreDroppedAndCounted(@ForAll("random") byte[] m) {
        assertDroppedOnce(m);
    }

    @Property
    void mutatedRealMessagesAreDroppedAndCounted(@ForAll("mutated") byte[] m) {
        assertDroppedOnce(m);
    }

    @Provide
    Arbitrary<byte[]> random() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seed =
                Arbitraries.of(initiation, transport, cookieLike).map(byte[]::clone);
        Arbitrary<byte[]> flipped = Combinators.combine(
                        seed,
                        Arbitraries.integers()
                                .between(0, 147)
                                .list()
                                .ofMinSize(1)
                                .ofMaxSize(4),
                        Arbitraries.integers().between(1, 255))
                .as((s, positions, mask) -> {
                    for (int p : positions) {
                        s[p % s.length] ^= mask.byteValue();
                    }
                    return s;
                });
        Arbitrary<byte[]> truncated = Combinators.combine(
                        seed, Arbitraries.integers().between(0, 200))
                .as((s, n) -> Arrays.copyOf(s, Math.min(n, s.length)));
        Arbitrary<byte[]> extended = Combinators.combine(
                        seed,
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64))
                .as((s, tail) -> {
                    byte[] r = Arrays.copyOf(s, s.length + tail.length);
                    System.arraycopy(tail, 0, r, s.length, tail.length);
                    return r;
                });
        Arbitrary<byte[]> retyped = Combinators.combine(
                        seed, Arbitraries.integers().between(0, 255))
                .as((s, type) -> {
                    s[0] = type.byteValue();
                    return s;
                });
        Arbitrary<byte[]> replayed = seed; // exact replays: a stale timestamp, a used counter, a bogus cookie
        return Arbitraries.oneOf(flipped, truncated, extended, retyped, replayed);
    }
}
