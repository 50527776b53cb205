package io.overcast.overlay.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.overcast.overlay.crypto.X25519;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {
    private final Device device = new Device(new MemoryIo.MemoryTun(), port -> null, Timing.standard());
    private final Peer one = new Peer(device, X25519.publicKey(X25519.generatePrivate()));
    private final Peer two = new Peer(device, X25519.publicKey(X25519.generatePrivate()));

    private static Peer lookup(AllowedIps t, String ip) throws Exception {
        byte[] a = InetAddress.getByName(ip).getAddress();
        return t.lookup(a, 0, a.length);
    }

    @Test
    void longestPrefixWinsInBothFamilies() throws Exception {
        AllowedIps t = new AllowedIps();
        t.insert(AllowedIps.Prefix.parse("10.0.0.0/8"), one);
        t.insert(AllowedIps.Prefix.parse("10.1.2.0/24"), two);
        t.insert(AllowedIps.Prefix.parse("fd00::/8"), two);
        t.insert(AllowedIps.Prefix.parse("fd00:1::1/128"), one);
        assertSame(one, lookup(t, "10.200.0.1"));
        assertSame(two, lookup(t, "10.1.2.3"));
        assertNull(lookup(t, "11.0.0.1"));
        assertSame(two, lookup(t, "fd12::1"));
        assertSame(one, lookup(t, "fd00:1::1"));
        assertNull(lookup(t, "2001:db8::1"));
    }

    @Test
    void defaultRoutesAndReassignmentAndRemoval() throws Exception {
        AllowedIps t = new AllowedIps();
        t.insert(AllowedIps.Prefix.parse("0.0.0.0/0"), one);
        t.insert(AllowedIps.Prefix.parse("192.168.1.0/24"), one);
        t.insert(AllowedIps.Prefix.parse("192.168.1.0/24"), two); // a prefix has one owner: the last
        assertSame(two, lookup(t, "192.168.1.9"));
        assertSame(one, lookup(t, "8.8.8.8"));
        assertEquals(
                List.of("0.0.0.0/0"),
                t.prefixesOf(one).stream().map(Object::toString).toList());
        t.removePeer(one);
        assertNull(lookup(t, "8.8.8.8"));
        assertSame(two, lookup(t, "192.168.1.9"));
    }

    @Test
    void prefixesAreCanonicalAndValidated() {
        assertEquals("10.1.0.0/16", AllowedIps.Prefix.parse("10.1.2.3/16").toString());
        assertEquals(
                "fd00:0:0:0:0:0:0:0/8", AllowedIps.Prefix.parse("fd12::1/8").toString());
        assertEquals("10.0.0.1/32", AllowedIps.Prefix.parse("10.0.0.1").toString());
        for (String bad : List.of("10.0.0.0/33", "fd00::/129", "example.com/24", "10.0.0.0/x", "", "/8")) {
            assertThrows(IllegalArgumentException.class, () -> AllowedIps.Prefix.parse(bad), bad);
        }
    }
}
