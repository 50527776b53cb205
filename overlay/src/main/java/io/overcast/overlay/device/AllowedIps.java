package io.overcast.overlay.device;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cryptokey routing: the longest-prefix match from an address to the peer that owns it, for IPv4 and IPv6. A binary
 * trie per family; writers hold the device's configuration lock, readers (the data path) take no lock, reading
 * fields that are only ever published fully built.
 */
public final class AllowedIps {
    private static final class Node {
        volatile Node zero;
        volatile Node one;
        volatile Peer peer;
    }

    /** A parsed prefix with its host bits cleared. */
    public record Prefix(byte[] address, int bits) {
        public static Prefix parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                throw new IllegalArgumentException("not an IP prefix: " + text);
            }
            byte[] a;
            try {
                a = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP prefix: " + text);
            }
            int max = a.length * 8;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP prefix: " + text);
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("prefix length out of range: " + text);
            }
            for (int i = 0; i < max; i++) {
                if (i >= bits) {
                    a[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                }
            }
            return new Prefix(a, bits);
        }

        @Override
        public String toString() {
            try {
                String host = InetAddress.getByAddress(address).getHostAddress();
                return host + "/" + bits;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Node v4 = new Node();
    private final Node v6 = new Node();

    private static boolean bit(byte[] a, int offset, int i) {
        return (a[offset + i / 8] & (0x80 >>> (i % 8))) != 0;
    }

    /** Sets the owner of a prefix (taking it from any other peer, as WireGuard does). */
    public void insert(Prefix p, Peer peer) {
        Node n = p.address().length == 4 ? v4 : v6;
        for (int i = 0; i < p.bits(); i++) {
            boolean b = bit(p.address(), 0, i);
            Node next = b ? n.one : n.zero;
            if (next == null) {
                next = new Node();
                if (b) {
                    n.one = next;
                } else {
                    n.zero = next;
                }
            }
            n = next;
        }
        n.peer = peer;
    }

    /** The peer owning the longest prefix that contains the address at {@code offset} (4 or 16 bytes), or null. */
    public Peer lookup(byte[] packet, int offset, int length) {
        Node n = length == 4 ? v4 : v6;
        Peer best = n.peer;
        int bits = length * 8;
        for (int i = 0; i < bits && n != null; i++) {
            n = bit(packet, offset, i) ? n.one : n.zero;
            if (n != null && n.peer != null) {
                best = n.peer;
            }
        }
        return best;
    }

    public void removePeer(Peer peer) {
        remove(v4, peer);
        remove(v6, peer);
    }

    private static void remove(Node n, Peer peer) {
        if (n == null) {
            return;
        }
        if (n.peer == peer) {
            n.peer = null;
        }
        remove(n.zero, peer);
        remove(n.one, peer);
    }

    public List<Prefix> prefixesOf(Peer peer) {
        List<Prefix> out = new ArrayList<>();
        collect(v4, new byte[4], 0, peer, out);
        collect(v6, new byte[16], 0, peer, out);
        return out;
    }

    private static void collect(Node n, byte[] a, int depth, Peer peer, List<Prefix> out) {
        if (n == null) {
            return;
        }
        if (n.peer == peer) {
            out.add(new Prefix(a.clone(), depth));
        }
        if (n.zero != null) {
            collect(n.zero, a, depth + 1, peer, out);
        }
        if (n.one != null) {
            a[depth / 8] |= (byte) (0x80 >>> (depth % 8));
            collect(n.one, a, depth + 1, peer, out);
            a[depth / 8] &= (byte) ~(0x80 >>> (depth % 8));
        }
    }
}
