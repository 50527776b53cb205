package io.overcast.overlay.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.overlay.crypto.X25519;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private final byte[] aPriv = X25519.generatePrivate();
    private final byte[] bPriv = X25519.generatePrivate();
    private final byte[] psk = new byte[32];

    @Test
    void twoJavaPeersAgreeOnKeysAndExchangePackets() {
        Handshake a = Handshake.initiator(aPriv, X25519.publicKey(bPriv), psk);
        Handshake b = Handshake.responder(bPriv, psk);
        byte[] init = a.createInitiation(11, Instant.now());
        assertEquals(Messages.INITIATION_SIZE, init.length);
        assertTrue(b.consumeInitiation(init, init.length, null));
        assertArrayEquals(X25519.publicKey(aPriv), b.remotePublic());
        Handshake.Result r = b.createResponse(22);
        assertEquals(Messages.RESPONSE_SIZE, r.message().length);
        Transport ta = a.consumeResponse(r.message(), r.message().length);
        assertNotNull(ta);
        Transport tb = r.transport();
        byte[] hello = "hello over the overlay".getBytes();
        byte[] m = ta.seal(hello);
        byte[] opened = tb.open(m, m.length);
        assertArrayEquals(hello, Arrays.copyOf(opened, hello.length));
        assertEquals(0, opened.length % 16, "padded to 16");
        assertNull(tb.open(m, m.length), "a replay is refused");
        byte[] keepalive = tb.seal(new byte[0]);
        assertEquals(Messages.TRANSPORT_MIN_SIZE, keepalive.length);
        assertEquals(0, ta.open(keepalive, keepalive.length).length);
    }

    @Test
    void aWrongPresharedKeyOrWrongPeerGetsNowhere() {
        byte[] otherPsk = new byte[32];
        otherPsk[0] = 1;
        Handshake a = Handshake.initiator(aPriv, X25519.publicKey(bPriv), psk);
        Handshake b = Handshake.responder(bPriv, otherPsk);
        byte[] init = a.createInitiation(1, Instant.now());
        assertTrue(b.consumeInitiation(init, init.length, null));
        var r = b.createResponse(2);
        assertNull(a.consumeResponse(r.message(), r.message().length), "psk mismatch fails the empty payload");
        assertEquals(Handshake.State.INITIATION_SENT, a.state());

        Handshake c = Handshake.responder(X25519.generatePrivate(), psk);
        byte[] init2 = a.createInitiation(3, Instant.now());
        assertFalse(c.consumeInitiation(init2, init2.length, null), "mac1 is for another key");
    }

    @Test
    void replayedOrStaleInitiationsAndMangledMessagesAreRefusedWithoutChangingState() {
        Handshake a = Handshake.initiator(aPriv, X25519.publicKey(bPriv), psk);
        Handshake b = Handshake.responder(bPriv, psk);
        Instant t = Instant.now();
        byte[] first = a.createInitiation(1, t);
        assertTrue(b.consumeInitiation(first, first.length, null));
        assertFalse(b.consumeInitiation(first, first.length, null), "the same timestamp again is a replay");
        byte[] older = a.createInitiation(1, t.minusSeconds(1));
        assertFalse(b.consumeInitiation(older, older.length, null));
        Random random = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] mangled = a.createInitiation(1, t.plusSeconds(10 + i));
            int pos = random.nextInt(mangled.length);
            mangled[pos] ^= (byte) (1 + random.nextInt(255));
            // Only the mac2 field (no cookie in use) is not covered by a check.
            boolean accepted = b.consumeInitiation(mangled, mangled.length, null);
            assertEquals(pos >= 132, accepted, "flipped byte " + pos);
            assertFalse(b.consumeInitiation(mangled, mangled.length - 1, null), "truncated");
        }
    }

    @Test
    void theReplayWindowAcceptsEachCounterOnceWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(0, Long.MAX_VALUE));
        assertFalse(w.accept(0, Long.MAX_VALUE));
        assertTrue(w.accept(10_000, Long.MAX_VALUE));
        assertTrue(w.accept(10_000 - ReplayWindow.WINDOW_SIZE, Long.MAX_VALUE), "oldest still inside");
        assertFalse(w.accept(10_000 - ReplayWindow.WINDOW_SIZE - 1, Long.MAX_VALUE), "just outside");
        assertTrue(w.accept(9_999, Long.MAX_VALUE));
        assertFalse(w.accept(9_999, Long.MAX_VALUE));
        assertFalse(w.accept(5, 5), "at the reject limit");
    }
}
