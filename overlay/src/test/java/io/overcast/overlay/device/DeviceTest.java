package io.overcast.overlay.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.overlay.crypto.X25519;
import io.overcast.overlay.device.MemoryIo.MemoryTun;
import io.overcast.overlay.device.MemoryIo.PipeBind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two devices over an in-memory pipe: routing, source checks, counters, and cookies under load. */
class DeviceTest {
    private final byte[] keyA = X25519.generatePrivate();
    private final byte[] keyB = X25519.generatePrivate();
    private final MemoryTun tunA = new MemoryTun();
    private final MemoryTun tunB = new MemoryTun();
    private Device a;
    private Device b;

    private static Config.Change config(byte[] key, byte[] peerKey, PipeBind peerBind, String... allowed) {
        return new Config.Change(
                key,
                null,
                null,
                false,
                List.of(new Config.PeerChange(
                        X25519.publicKey(peerKey),
                        false,
                        false,
                        null,
                        peerBind.address,
                        null,
                        false,
                        java.util.Arrays.stream(allowed)
                                .map(AllowedIps.Prefix::parse)
                                .toList())));
    }

    private PipeBind[] pipe;

    private void start(Timing timing) throws Exception {
        pipe = PipeBind.pair();
        a = new Device(tunA, port -> pipe[0], timing);
        b = new Device(tunB, port -> pipe[1], timing);
        a.configure(config(keyA, keyB, pipe[1], "10.9.0.2/32", "fd09::2/128"));
        b.configure(config(keyB, keyA, pipe[0], "10.9.0.1/32", "fd09::1/128"));
        a.start();
        b.start();
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
            b.close();
        }
    }

    @Test
    void packetsCrossBothWaysInBothFamiliesAndAreCounted() throws Exception {
        start(Timing.standard());
        byte[] v4 = MemoryIo.ipv4("10.9.0.1", "10.9.0.2", "hello over v4".getBytes());
        tunA.fromKernel.add(v4);
        assertArrayEquals(
                v4, tunB.toKernel.poll(10, TimeUnit.SECONDS), "the staged packet arrives after the handshake");
        byte[] v6 = MemoryIo.ipv6("fd09::2", "fd09::1", "and back over v6".getBytes());
        tunB.fromKernel.add(v6);
        assertArrayEquals(v6, tunA.toKernel.poll(10, TimeUnit.SECONDS));
        Peer bAtA = a.peer(X25519.publicKey(keyB));
        assertTrue(bAtA.lastHandshakeEpochNanos() > 0);
        assertTrue(bAtA.txBytes() >= 148 + 32 + 48 && bAtA.rxBytes() >= 92 + 64);
        assertEquals(0, a.dropped(Drop.NOT_AUTHENTIC) + b.dropped(Drop.NOT_AUTHENTIC));
    }

    @Test
    void aPacketFromOutsideTheSendersAllowedIpsIsDropped() throws Exception {
        start(Timing.standard());
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[8]));
        assertNotNull(tunB.toKernel.poll(10, TimeUnit.SECONDS));
        // A claims a source that B routes to nobody (or to another peer): B must not deliver it
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.77", "10.9.0.2", new byte[8]));
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[] {1}));
        byte[] next = tunB.toKernel.poll(10, TimeUnit.SECONDS);
        assertEquals(1, next[20], "only the packet with a legitimate source came through");
        assertEquals(1, b.dropped(Drop.DISALLOWED_SOURCE));
    }

    @Test
    void aPacketToNoPeersAddressIsCountedAsNoRoute() throws Exception {
        start(Timing.standard());
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.9.9", new byte[8]));
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[8]));
        assertNotNull(tunB.toKernel.poll(10, TimeUnit.SECONDS));
        assertEquals(1, a.dropped(Drop.NO_ROUTE));
    }

    @Test
    void underLoadTheResponderAsksForACookieAndTheInitiatorGetsThroughWithMac2() throws Exception {
        start(Timing.standard().withRekeyTimeout(Duration.ofSeconds(1)));
        b.forceUnderLoad(TimeUnit.MINUTES.toNanos(1));
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", "through the cookie".getBytes()));
        // first initiation: no MAC2, so B answers with a cookie reply; the retry (REKEY_TIMEOUT) carries MAC2
        byte[] delivered = tunB.toKernel.poll(15, TimeUnit.SECONDS);
        assertNotNull(delivered, "the packet arrives once the initiator proved its address");
        assertEquals(1, b.dropped(Drop.COOKIE_SENT));
        assertEquals(0, a.dropped(Drop.BAD_COOKIE));
    }

    @Test
    void persistentKeepaliveSendsEmptyTransportMessagesOnAnIdleSession() throws Exception {
        start(Timing.standard());
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[8]));
        assertNotNull(tunB.toKernel.poll(10, TimeUnit.SECONDS));
        a.configure(new Config.Change(
                null,
                null,
                null,
                false,
                List.of(new Config.PeerChange(X25519.publicKey(keyB), false, true, null, null, 1, false, List.of()))));
        pipe[0].sent.clear();
        long start = System.nanoTime();
        int keepalives = 0;
        while (keepalives < 2) {
            MemoryIo.Datagram d = pipe[0].sent.poll(5, TimeUnit.SECONDS);
            assertNotNull(d, "a keepalive within the interval");
            if (d.data().length == 32 && d.data()[0] == 4) {
                keepalives++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 0.9 && seconds < 4, "two keepalives about a second apart: " + seconds);
        assertEquals(0, tunB.toKernel.size(), "keepalives are not delivered as packets");
    }

    @Test
    void aPeerThatMovesIsAnsweredAtItsNewAddress() throws Exception {
        start(Timing.standard());
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[8]));
        assertNotNull(tunB.toKernel.poll(10, TimeUnit.SECONDS));
        java.net.InetSocketAddress moved = new java.net.InetSocketAddress("192.0.2.99", 40000);
        pipe[0].address = moved; // A's NAT mapping changed
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[] {7}));
        assertEquals(7, tunB.toKernel.poll(10, TimeUnit.SECONDS)[20]);
        assertEquals(moved, b.peer(X25519.publicKey(keyA)).endpoint(), "B learnt A's new endpoint");
        tunB.fromKernel.add(MemoryIo.ipv4("10.9.0.2", "10.9.0.1", new byte[] {8}));
        assertEquals(8, tunA.toKernel.poll(10, TimeUnit.SECONDS)[20], "B's answer reached A at its new address");
    }

    @Test
    void removingAPeerForgetsItsRoutesAndKeys() throws Exception {
        start(Timing.standard());
        tunA.fromKernel.add(MemoryIo.ipv4("10.9.0.1", "10.9.0.2", new byte[8]));
        assertNotNull(tunB.toKernel.poll(10, TimeUnit.SECONDS));
        Peer gone = a.peer(X25519.publicKey(keyB));
        a.configure(new Config.Change(null, null, null, true, List.of()));
        assertNull(a.peer(X25519.publicKey(keyB)));
        assertNull(gone.current, "keys are dropped with the peer");
        assertEquals(0, a.indexCount());
        assertTrue(a.snapshot().peers().isEmpty());
    }
}
