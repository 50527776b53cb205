package io.overcast.overlay.cli;

import com.sun.jna.Native;
import io.overcast.overlay.device.Device;
import io.overcast.overlay.device.Timing;
import io.overcast.overlay.device.UdpBind;
import io.overcast.overlay.tun.TunDevice;
import io.overcast.overlay.uapi.UapiServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar overlay.jar [-f] INTERFACE}: the drop-in for {@code wireguard-go}. Creates the TUN interface,
 * serves the configuration protocol on /var/run/wireguard/INTERFACE.sock for `wg` and `wg-quick`, and runs until the
 * interface is deleted or the process is told to stop. Without -f it starts itself again in the foreground, detached
 * (its own session, output discarded unless OVERLAY_LOG names a file), and returns once the socket answers.
 *
 * <p>Environment: OVERLAY_MTU (default 1420), OVERLAY_UAPI_DIR (default /var/run/wireguard), OVERLAY_LOG, and for
 * tests OVERLAY_REKEY_AFTER_TIME and OVERLAY_REKEY_TIMEOUT (seconds; the protocol's 120 and 5 otherwise).
 */
@Command(
        name = "overlay",
        mixinStandardHelpOptions = true,
        version = "overcast overlay 0.1 (WireGuard protocol version 1)",
        description = "Userspace WireGuard in Java, configured with wg(8) like wireguard-go.")
public final class OverlayMain implements Callable<Integer> {
    private static final String DAEMON_ENV = "OVERLAY_DAEMONIZED";

    @Option(
            names = {"-f", "--foreground"},
            description = "Stay in the foreground.")
    boolean foreground;

    @Parameters(index = "0", paramLabel = "INTERFACE", description = "Interface name (1 to 15 characters).")
    String name;

    static final class Posix {
        static {
            Native.register("c");
        }

        private Posix() {}

        static native int setsid();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new OverlayMain()).execute(args));
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Override
    public Integer call() throws Exception {
        Path uapiDir = Path.of(env("OVERLAY_UAPI_DIR", UapiServer.DEFAULT_DIRECTORY.toString()));
        if (!foreground) {
            return daemonize(uapiDir);
        }
        if (System.getenv(DAEMON_ENV) != null) {
            Posix.setsid();
        }
        Timing timing = Timing.standard();
        String rekey = System.getenv("OVERLAY_REKEY_AFTER_TIME");
        if (rekey != null) {
            timing = timing.withRekeyAfterTime(Duration.ofSeconds(Long.parseLong(rekey)));
        }
        String rekeyTimeout = System.getenv("OVERLAY_REKEY_TIMEOUT");
        if (rekeyTimeout != null) {
            timing = timing.withRekeyTimeout(Duration.ofSeconds(Long.parseLong(rekeyTimeout)));
        }
        int mtu = Integer.parseInt(env("OVERLAY_MTU", Integer.toString(TunDevice.DEFAULT_MTU)));
        TunDevice tun = TunDevice.open(name, mtu);
        Device device = new Device(tun, UdpBind::open, timing);
        device.start();
        UapiServer uapi = UapiServer.start(device, uapiDir);
        System.err.println("overlay: " + tun.name() + " up, UAPI on " + uapi.path());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            uapi.close();
            device.close();
        }));
        device.awaitClosed();
        uapi.close();
        System.err.println("overlay: " + tun.name() + " closed");
        return 0;
    }

    /** Starts this program again with -f, detached, and waits until its socket exists (or it died). */
    private int daemonize(Path uapiDir) throws Exception {
        // the same JVM, its options and class path, this class, in the foreground
        String javaBin = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OverlayMain.class.getName(), "-f", name));
        String log = System.getenv("OVERLAY_LOG");
        File out = new File(log == null ? "/dev/null" : log);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out))
                .redirectError(ProcessBuilder.Redirect.appendTo(out));
        pb.environment().put(DAEMON_ENV, "1");
        Process child = pb.start();
        Path sock = uapiDir.resolve(name + ".sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(sock)) {
                return 0;
            }
            if (child.waitFor(50, TimeUnit.MILLISECONDS)) {
                System.err.println("overlay: the device process exited with " + child.exitValue());
                return 1;
            }
        }
        System.err.println("overlay: the device did not come up within 30 s");
        child.destroy();
        return 1;
    }
}
