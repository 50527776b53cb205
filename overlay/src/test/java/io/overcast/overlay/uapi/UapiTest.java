package io.overcast.overlay.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.overlay.crypto.X25519;
import io.overcast.overlay.device.Bind;
import io.overcast.overlay.device.Config;
import io.overcast.overlay.device.Device;
import io.overcast.overlay.device.Timing;
import io.overcast.overlay.device.Tun;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration protocol's text: what `wg set` sends and `wg show` reads, and refusals that change nothing. */
class UapiTest {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] priv = X25519.generatePrivate();
    private final byte[] peer = X25519.publicKey(X25519.generatePrivate());

    private static Device device() {
        Tun tun = new Tun() {
            @Override
            public int read(byte[] buf) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] buf, int length) {}

            @Override
            public String name() {
                return "uapi0";
            }

            @Override
            public void close() {}
        };
        // the device is configured, never started, so it opens no socket: asking for one is a test failure
        Bind.Factory none = port -> {
            throw new AssertionError("a device that was not started opened a bind");
        };
        return new Device(tun, none, Timing.standard());
    }

    private List<String> valid() {
        return List.of(
                "private_key=" + HEX.formatHex(priv),
                "listen_port=51820",
                "replace_peers=true",
                "public_key=" + HEX.formatHex(peer),
                "protocol_version=1",
                "preshared_key=" + HEX.formatHex(new byte[32]),
                "endpoint=[fd00::7]:51821",
                "persistent_keepalive_interval=25",
                "replace_allowed_ips=true",
                "allowed_ip=10.0.0.0/24",
                "allowed_ip=fd00:1::/64");
    }

    @Test
    void aSetAppliesAndAGetReadsItBackAsWireguardGoWritesIt() throws Exception {
        Device d = device();
        d.configure(Uapi.parseSet(valid()));
        String get = Uapi.formatGet(d.snapshot());
        assertTrue(get.startsWith("private_key=" + HEX.formatHex(priv) + "\nlisten_port=51820\n"), get);
        assertTrue(get.contains("public_key=" + HEX.formatHex(peer) + "\n"), get);
        assertTrue(get.contains("endpoint=[fd00:0:0:0:0:0:0:7]:51821\n"), get);
        assertTrue(get.contains("persistent_keepalive_interval=25\n"), get);
        assertTrue(get.contains("last_handshake_time_sec=0\nlast_handshake_time_nsec=0\n"), get);
        assertTrue(get.contains("allowed_ip=10.0.0.0/24\n") && get.contains("allowed_ip=fd00:1:0:0:0:0:0:0/64\n"), get);
    }

    @Test
    void badLinesAreRefusedWithTheErrnoWgExpectsAndChangeNothing() throws Exception {
        Device d = device();
        d.configure(Uapi.parseSet(valid()));
        Config.Snapshot before = d.snapshot();
        String key = "public_key=" + HEX.formatHex(X25519.publicKey(X25519.generatePrivate()));
        List<List<String>> bad = List.of(
                List.of("private_key=zz"),
                List.of("listen_port=70000"),
                List.of("listen_port=-1"),
                List.of("fwmark=abc"),
                List.of("replace_peers=yes"),
                List.of("bogus=1"),
                List.of("no equals sign"),
                List.of(key, "allowed_ip=10.0.0.0/40"),
                List.of(key, "endpoint=example.com:51820"),
                List.of(key, "endpoint=10.0.0.1"),
                List.of(key, "endpoint=10.0.0.1:0"),
                List.of(key, "protocol_version=2"),
                List.of(key, "persistent_keepalive_interval=99999"),
                List.of(key, "remove=false"),
                List.of(key, "endpoint=10.0.0.1:1", "allowed_ip=10.5.0.0/16", "preshared_key=12"));
        for (List<String> lines : bad) {
            Uapi.Error e = assertThrows(Uapi.Error.class, () -> Uapi.parseSet(lines), lines.toString());
            assertTrue(e.errno() == Uapi.EINVAL || e.errno() == Uapi.EPROTO, lines + " -> " + e.errno());
        }
        assertEquals(Uapi.formatGet(before), Uapi.formatGet(d.snapshot()), "refused requests changed nothing");
    }

    @Test
    void removeAndUpdateOnlyBehaveAsInWireguardGo() throws Exception {
        Device d = device();
        d.configure(Uapi.parseSet(valid()));
        String other = HEX.formatHex(X25519.publicKey(X25519.generatePrivate()));
        d.configure(Uapi.parseSet(List.of("public_key=" + other, "update_only=true", "allowed_ip=10.1.0.0/16")));
        assertEquals(1, d.snapshot().peers().size(), "update_only does not create a peer");
        d.configure(Uapi.parseSet(List.of("public_key=" + HEX.formatHex(peer), "remove=true")));
        assertEquals(0, d.snapshot().peers().size());
        // a peer with the device's own public key is ignored
        d.configure(Uapi.parseSet(List.of("public_key=" + HEX.formatHex(X25519.publicKey(priv)))));
        assertEquals(0, d.snapshot().peers().size());
    }
}
