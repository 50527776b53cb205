package io.overcast.overlay.device;

import java.net.InetSocketAddress;
import java.util.List;

/** The configuration of a device as the library and the UAPI see it. Keys are raw 32-byte arrays. */
public final class Config {
    private Config() {}

    /** A change to apply whole; null fields are left as they are. */
    public record Change(
            byte[] privateKey, Integer listenPort, Integer fwmark, boolean replacePeers, List<PeerChange> peers) {}

    public record PeerChange(
            byte[] publicKey,
            boolean remove,
            boolean updateOnly,
            byte[] presharedKey,
            InetSocketAddress endpoint,
            Integer persistentKeepalive,
            boolean replaceAllowedIps,
            List<AllowedIps.Prefix> allowedIps) {}

    public record Snapshot(byte[] privateKey, int listenPort, int fwmark, List<PeerState> peers) {}

    public record PeerState(
            byte[] publicKey,
            byte[] presharedKey,
            InetSocketAddress endpoint,
            int persistentKeepalive,
            long lastHandshakeEpochNanos,
            long rxBytes,
            long txBytes,
            List<AllowedIps.Prefix> allowedIps) {}
}
