package io.overcast.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.overlay.crypto.X25519;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * overlay.jar (the Java device, configured with Debian's `wg`) against Debian's wireguard-go, each in its own network
 * namespace, joined by a veth pair: handshakes either way, IPv4 and IPv6, 100 MB over TCP across rekeys, a restarted
 * wireguard-go, wrong keys, and wg-quick driving the Java device as its userspace implementation.
 */
class WireguardInteropIT {
    private static final String JAR =
            Path.of("target", "overlay.jar").toAbsolutePath().toString();
    private static final String JAVA_V4 = "10.78.0.1";
    private static final String GO_V4 = "10.78.0.2";
    private static final String JAVA_V6 = "fd78::1";
    private static final String GO_V6 = "fd78::2";

    private Netns net;
    private String javaIf;
    private String goIf;
    private final byte[] javaKey = X25519.generatePrivate();
    private final byte[] goKey = X25519.generatePrivate();
    private Process go;
    private final List<Path> temp = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Netns.assumeCapable();
        net = new Netns();
        javaIf = "ovj" + net.tag;
        goIf = "ovg" + net.tag;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (net != null) {
            net.close();
        }
        for (Path p : temp) {
            Files.deleteIfExists(p);
        }
    }

    private static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }

    private Path keyFile(byte[] key) throws Exception {
        Path p = Files.createTempFile(
                "ovk", ".key", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(p, b64(key) + "\n");
        temp.add(p);
        return p;
    }

    private Process startJava(String... env) throws Exception {
        Process p = net.start(net.a, "overlay-java", List.of(env), "java", "-jar", JAR, "-f", javaIf);
        Netns.awaitSocket(p, javaIf);
        return p;
    }

    private Process startGo() throws Exception {
        Process p = net.start(net.b, "wireguard-go", List.of("LOG_LEVEL=verbose"), "wireguard-go", "-f", goIf);
        Netns.awaitSocket(p, goIf);
        return p;
    }

    /** `wg set` one side: our key, port 51820, the other side as peer; then addresses and link up. */
    private void configure(
            String ns,
            String iface,
            byte[] key,
            byte[] peerKey,
            String peerUnderlay,
            String v4,
            String v6,
            String peerV4,
            String peerV6,
            byte[] psk)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "wg",
                "set",
                iface,
                "private-key",
                keyFile(key).toString(),
                "listen-port",
                "51820",
                "peer",
                b64(X25519.publicKey(peerKey)),
                "allowed-ips",
                peerV4 + "/32," + peerV6 + "/128",
                "endpoint",
                peerUnderlay + ":51820"));
        if (psk != null) {
            cmd.addAll(List.of("preshared-key", keyFile(psk).toString()));
        }
        Netns.in(ns, cmd.toArray(String[]::new));
        Netns.in(ns, "ip", "addr", "add", v4 + "/24", "dev", iface);
        Netns.in(ns, "ip", "addr", "add", v6 + "/64", "dev", iface, "nodad");
        Netns.in(ns, "ip", "link", "set", iface, "up");
    }

    private void configureBoth(byte[] javaPsk, byte[] goPsk, byte[] javaKeyAsGoSeesIt) throws Exception {
        configure(net.a, javaIf, javaKey, goKey, net.underlayB, JAVA_V4, JAVA_V6, GO_V4, GO_V6, javaPsk);
        configure(net.b, goIf, goKey, javaKeyAsGoSeesIt, net.underlayA, GO_V4, GO_V6, JAVA_V4, JAVA_V6, goPsk);
    }

    private static void pings(String ns, String target) throws Exception {
        Netns.Result r = Netns.attempt(ns, "ping", "-c", "3", "-i", "0.2", "-W", "3", target);
        assertEquals(0, r.code(), "ping " + target + " from " + ns + ": " + r.output());
        assertTrue(r.output().contains("3 received"), r.output());
    }

    /** The latest handshake `wg show` reports for the (single) peer, in epoch seconds; 0 when none. */
    private static long latestHandshake(String ns, String iface) throws Exception {
        String out = Netns.in(ns, "wg", "show", iface, "latest-handshakes").trim();
        return out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[1]);
    }

    private static long[] transfer(String ns, String iface) throws Exception {
        String[] f = Netns.in(ns, "wg", "show", iface, "transfer").trim().split("\\s+");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @Test
    void javaInitiatesAndPingsOverIpv4AndIpv6AndWgShowsTheSession() throws Exception {
        startJava();
        go = startGo();
        configureBoth(null, null, javaKey);
        pings(net.a, GO_V4);
        pings(net.a, GO_V6);
        assertTrue(latestHandshake(net.a, javaIf) > 0, "wg show reports the Java side's handshake");
        long[] rxTx = transfer(net.a, javaIf);
        assertTrue(rxTx[0] > 0 && rxTx[1] > 0, "wg show counts transfer both ways");
        String show = Netns.in(net.a, "wg", "show", javaIf);
        assertTrue(show.contains("endpoint: " + net.underlayB + ":51820"), show);
        assertTrue(show.contains("allowed ips: " + GO_V4 + "/32, " + GO_V6 + "/128"), show);
        // the configuration reads back as wg showconf renders it, keys included
        String conf = Netns.in(net.a, "wg", "showconf", javaIf);
        assertTrue(conf.contains("PrivateKey = " + b64(javaKey)), "showconf has the private key");
        assertTrue(conf.contains("PublicKey = " + b64(X25519.publicKey(goKey))), conf);
    }

    @Test
    void wireguardGoInitiatesAndTheJavaDeviceAnswersOverBothFamilies() throws Exception {
        startJava();
        go = startGo();
        configureBoth(null, null, javaKey);
        pings(net.b, JAVA_V4);
        pings(net.b, JAVA_V6);
        assertTrue(latestHandshake(net.b, goIf) > 0);
        assertTrue(latestHandshake(net.a, javaIf) > 0, "the responder reports the handshake once confirmed");
    }

    @Test
    void moves100MegabytesOverTcpAcrossRekeysWithTheChecksumIntact() throws Exception {
        // REKEY_AFTER_TIME 1 s and REKEY_TIMEOUT 1 s: the Java side (the initiator) rekeys about every second
        startJava("OVERLAY_REKEY_AFTER_TIME=1", "OVERLAY_REKEY_TIMEOUT=1");
        go = startGo();
        configureBoth(null, null, javaKey);
        pings(net.a, GO_V4);
        long firstHandshake = latestHandshake(net.a, javaIf);
        String classpath = Path.of("target", "test-classes").toAbsolutePath().toString();
        Process sink =
                net.start(net.b, "sink", List.of(), "java", "-cp", classpath, TcpSink.class.getName(), GO_V4, "5201");
        BufferedReader sinkOut = new BufferedReader(
                new InputStreamReader(Files.newInputStream(Path.of("target", "interop-logs", net.tag + "-sink.log"))));
        String line;
        while ((line = sinkOut.readLine()) == null && !sink.waitFor(50, TimeUnit.MILLISECONDS)) {
            // the sink prints "listening" once bound
        }
        assertEquals("listening", line);
        long size = 100L * 1024 * 1024;
        long start = System.nanoTime();
        String sent = Netns.in(
                        net.a,
                        "java",
                        "-cp",
                        classpath,
                        TcpSource.class.getName(),
                        GO_V4,
                        "5201",
                        Long.toString(size),
                        "42")
                .trim();
        assertTrue(sink.waitFor(60, TimeUnit.SECONDS), "the sink finished");
        double seconds = (System.nanoTime() - start) / 1e9;
        String received = sinkOut.readLine();
        sinkOut.close();
        assertEquals(size + " " + sent.split(" ")[1], received, "byte count and SHA-256 match");
        assertEquals(sent, received);
        long lastHandshake = latestHandshake(net.a, javaIf);
        assertTrue(
                lastHandshake > firstHandshake,
                "the session was rekeyed during the transfer (" + firstHandshake + " -> " + lastHandshake + ")");
        System.out.printf(
                "100 MiB through Java->wireguard-go in %.1f s (%.0f Mbit/s incl. JVM start-up)%n",
                seconds, size * 8 / seconds / 1e6);
    }

    @Test
    void recoversAfterWireguardGoRestartsWithNewState() throws Exception {
        startJava();
        go = startGo();
        configureBoth(null, null, javaKey);
        pings(net.a, GO_V4);
        go.destroy();
        assertTrue(go.waitFor(10, TimeUnit.SECONDS));
        Files.deleteIfExists(Path.of("/var/run/wireguard", goIf + ".sock"));
        go = startGo(); // new process: new indices, no sessions
        configure(net.b, goIf, goKey, javaKey, net.underlayA, GO_V4, GO_V6, JAVA_V4, JAVA_V6, null);
        long start = System.nanoTime();
        // the Java side still holds the old session; when its data goes unanswered it starts a new handshake
        // (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, about 15 s), and ping succeeds from then on
        Netns.Result r = Netns.attempt(net.a, "ping", "-c", "1", "-i", "0.5", "-w", "40", GO_V4);
        assertEquals(0, r.code(), r.output());
        System.out.printf("recovered %.1f s after the restart%n", (System.nanoTime() - start) / 1e9);
        pings(net.a, GO_V4);
    }

    @Test
    void aWrongPublicKeyGetsNowhere() throws Exception {
        startJava();
        go = startGo();
        configureBoth(null, null, X25519.generatePrivate()); // wireguard-go expects someone else
        Netns.Result r = Netns.attempt(net.a, "ping", "-c", "3", "-i", "0.3", "-W", "1", GO_V4);
        assertNotEquals(0, r.code(), r.output());
        assertEquals(0, latestHandshake(net.a, javaIf));
        assertEquals(0, latestHandshake(net.b, goIf));
    }

    @Test
    void aWrongPresharedKeyGetsNowhere() throws Exception {
        startJava();
        go = startGo();
        byte[] psk = X25519.generatePrivate();
        byte[] other = X25519.generatePrivate();
        configureBoth(psk, other, javaKey);
        Netns.Result r = Netns.attempt(net.a, "ping", "-c", "3", "-i", "0.3", "-W", "1", GO_V4);
        assertNotEquals(0, r.code(), r.output());
        assertEquals(0, latestHandshake(net.a, javaIf), "a response under another PSK does not verify");
        Netns.Result back = Netns.attempt(net.b, "ping", "-c", "2", "-i", "0.3", "-W", "1", JAVA_V4);
        assertNotEquals(0, back.code(), back.output());
        assertEquals(0, latestHandshake(net.b, goIf));
    }

    @Test
    void samePresharedKeyWorks() throws Exception {
        startJava();
        go = startGo();
        byte[] psk = X25519.generatePrivate();
        configureBoth(psk, psk, javaKey);
        pings(net.a, GO_V4);
        pings(net.b, JAVA_V6);
    }

    @Test
    void wgQuickUsesTheJavaDeviceAsItsUserspaceImplementation() throws Exception {
        Path launcher = Path.of("target", "overlay-launcher").toAbsolutePath();
        Files.writeString(launcher, "#!/bin/sh\nexec java -jar " + JAR + " \"$@\"\n");
        launcher.toFile().setExecutable(true);
        go = startGo();
        configure(net.b, goIf, goKey, javaKey, net.underlayA, GO_V4, GO_V6, JAVA_V4, JAVA_V6, null);
        Path dir = Files.createTempDirectory("wgq");
        Path conf = dir.resolve(javaIf + ".conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "[Interface]",
                        "PrivateKey = " + b64(javaKey),
                        "Address = " + JAVA_V4 + "/24, " + JAVA_V6 + "/64",
                        "ListenPort = 51820",
                        "",
                        "[Peer]",
                        "PublicKey = " + b64(X25519.publicKey(goKey)),
                        "AllowedIPs = " + GO_V4 + "/32, " + GO_V6 + "/128",
                        "Endpoint = " + net.underlayB + ":51820",
                        ""));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        temp.add(conf);
        temp.add(dir);
        Netns.Result up = Netns.attempt(
                net.a, "env", "WG_QUICK_USERSPACE_IMPLEMENTATION=" + launcher, "wg-quick", "up", conf.toString());
        assertEquals(0, up.code(), up.output());
        pings(net.a, GO_V4);
        pings(net.a, GO_V6);
        Path sock = Path.of("/var/run/wireguard", javaIf + ".sock");
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            sock.getParent().register(watch, StandardWatchEventKinds.ENTRY_DELETE);
            Netns.Result down = Netns.attempt(net.a, "wg-quick", "down", conf.toString());
            assertEquals(0, down.code(), down.output());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(sock) && System.nanoTime() < deadline) {
                WatchKey key = watch.poll(1, TimeUnit.SECONDS); // wakes on any deletion in the directory
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        assertTrue(!Files.exists(sock), "the device exits (removing its socket) when wg-quick deletes its interface");
    }
}
