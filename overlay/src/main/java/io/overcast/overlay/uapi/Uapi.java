package io.overcast.overlay.uapi;

import io.overcast.overlay.device.AllowedIps;
import io.overcast.overlay.device.Config;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * WireGuard's cross-platform configuration protocol (https://www.wireguard.com/xplatform/): the text that `wg` and
 * wireguard-go exchange on /var/run/wireguard/IFACE.sock. {@link #parseSet} validates a whole "set" request before
 * anything is applied (wireguard-go applies line by line and can leave half a change behind; here a bad line changes
 * nothing); {@link #formatGet} renders a "get" answer.
 */
public final class Uapi {
    /** Negative errno values, as wireguard-go answers them. */
    public static final int EIO = -5;

    public static final int EINVAL = -22;
    public static final int EPROTO = -71;
    public static final int EADDRINUSE = -98;

    private Uapi() {}

    /** A refused request: the errno to answer and why (for the log; `wg` shows the errno's text). */
    public static final class Error extends Exception {
        private final int errno;

        public Error(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    private static final class PeerBuilder {
        byte[] publicKey;
        boolean remove;
        boolean updateOnly;
        byte[] presharedKey;
        InetSocketAddress endpoint;
        Integer keepalive;
        boolean replaceAllowedIps;
        final List<AllowedIps.Prefix> allowedIps = new ArrayList<>();

        Config.PeerChange build() {
            return new Config.PeerChange(
                    publicKey,
                    remove,
                    updateOnly,
                    presharedKey,
                    endpoint,
                    keepalive,
                    replaceAllowedIps,
                    List.copyOf(allowedIps));
        }
    }

    /** The lines of a "set=1" request (without the operation line and the blank line that ends it). */
    public static Config.Change parseSet(List<String> lines) throws Error {
        byte[] privateKey = null;
        Integer listenPort = null;
        Integer fwmark = null;
        boolean replacePeers = false;
        List<Config.PeerChange> peers = new ArrayList<>();
        PeerBuilder peer = null;
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new Error(EPROTO, "not a key=value line: " + abbreviate(line));
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                peer = new PeerBuilder();
                peer.publicKey = hexKey(key, value);
                continue;
            }
            if (peer == null) {
                switch (key) {
                    case "private_key" -> privateKey = hexKey(key, value);
                    case "listen_port" -> listenPort = number(key, value, 65535);
                    case "fwmark" -> fwmark = (int) (long) numberLong(key, value, 0xffffffffL);
                    case "replace_peers" -> replacePeers = flag(key, value);
                    default -> throw new Error(EINVAL, "invalid UAPI device key: " + abbreviate(key));
                }
            } else {
                switch (key) {
                    case "update_only" -> peer.updateOnly = flag(key, value);
                    case "remove" -> peer.remove = flag(key, value);
                    case "preshared_key" -> peer.presharedKey = hexKey(key, value);
                    case "endpoint" -> peer.endpoint = endpoint(value);
                    case "persistent_keepalive_interval" -> peer.keepalive = number(key, value, 65535);
                    case "replace_allowed_ips" -> peer.replaceAllowedIps = flag(key, value);
                    case "allowed_ip" -> {
                        try {
                            peer.allowedIps.add(AllowedIps.Prefix.parse(value));
                        } catch (IllegalArgumentException e) {
                            throw new Error(EINVAL, e.getMessage());
                        }
                    }
                    case "protocol_version" -> {
                        if (!value.equals("1")) {
                            throw new Error(EINVAL, "invalid protocol version: " + abbreviate(value));
                        }
                    }
                    default -> throw new Error(EINVAL, "invalid UAPI peer key: " + abbreviate(key));
                }
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new Config.Change(privateKey, listenPort, fwmark, replacePeers, List.copyOf(peers));
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    private static byte[] hexKey(String key, String value) throws Error {
        if (value.length() != 64) {
            throw new Error(EINVAL, key + " must be 64 hex digits");
        }
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new Error(EINVAL, key + " must be 64 hex digits");
        }
    }

    private static boolean flag(String key, String value) throws Error {
        if (!value.equals("true")) {
            throw new Error(EINVAL, key + " takes only the value true");
        }
        return true;
    }

    private static int number(String key, String value, int max) throws Error {
        return (int) numberLong(key, value, max);
    }

    private static long numberLong(String key, String value, long max) throws Error {
        try {
            long v = Long.parseLong(value);
            if (v < 0 || v > max || !value.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new Error(EINVAL, key + " must be a number from 0 to " + max);
        }
    }

    /** "a.b.c.d:port" or "[v6]:port", numeric only (no name lookups inside the daemon). */
    static InetSocketAddress endpoint(String value) throws Error {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf("]:");
            if (close < 0) {
                throw new Error(EINVAL, "endpoint must be [IPv6]:port");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
            int zone = host.indexOf('%');
            if (zone >= 0) {
                host = host.substring(0, zone);
            }
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0 || value.indexOf(':') != colon) {
                throw new Error(EINVAL, "endpoint must be IPv4:port or [IPv6]:port");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            throw new Error(EINVAL, "endpoint host must be a numeric address");
        }
        int p = number("endpoint port", port, 65535);
        if (p == 0) {
            throw new Error(EINVAL, "endpoint port must not be 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new Error(EINVAL, "endpoint host must be a numeric address");
        }
    }

    /** The answer to "get=1", without the final errno line. */
    public static String formatGet(Config.Snapshot s) {
        StringBuilder b = new StringBuilder(256 + 256 * s.peers().size());
        HexFormat hex = HexFormat.of();
        if (s.privateKey() != null) {
            b.append("private_key=").append(hex.formatHex(s.privateKey())).append('\n');
        }
        if (s.listenPort() != 0) {
            b.append("listen_port=").append(s.listenPort()).append('\n');
        }
        if (s.fwmark() != 0) {
            b.append("fwmark=").append(Integer.toUnsignedString(s.fwmark())).append('\n');
        }
        for (Config.PeerState p : s.peers()) {
            b.append("public_key=").append(hex.formatHex(p.publicKey())).append('\n');
            b.append("preshared_key=").append(hex.formatHex(p.presharedKey())).append('\n');
            b.append("protocol_version=1\n");
            if (p.endpoint() != null) {
                b.append("endpoint=").append(formatEndpoint(p.endpoint())).append('\n');
            }
            b.append("last_handshake_time_sec=")
                    .append(p.lastHandshakeEpochNanos() / 1_000_000_000L)
                    .append('\n');
            b.append("last_handshake_time_nsec=")
                    .append(p.lastHandshakeEpochNanos() % 1_000_000_000L)
                    .append('\n');
            b.append("tx_bytes=").append(p.txBytes()).append('\n');
            b.append("rx_bytes=").append(p.rxBytes()).append('\n');
            b.append("persistent_keepalive_interval=")
                    .append(p.persistentKeepalive())
                    .append('\n');
            for (AllowedIps.Prefix prefix : p.allowedIps()) {
                b.append("allowed_ip=").append(prefix).append('\n');
            }
        }
        return b.toString();
    }

    static String formatEndpoint(InetSocketAddress e) {
        InetAddress a = e.getAddress();
        String host = a.getHostAddress();
        if (a instanceof Inet6Address) {
            int zone = host.indexOf('%');
            return "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]:" + e.getPort();
        }
        return host + ":" + e.getPort();
    }
}
