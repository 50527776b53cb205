package io.overcast.overlay.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Two network namespaces joined by a veth pair (10.77.0.1 and 10.77.0.2), created for one test and removed after
 * it with everything started inside them. Skips the test, saying why, without root or the tools.
 */
final class Netns implements AutoCloseable {
    final String tag = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    final String a = "ova-" + tag;
    final String b = "ovb-" + tag;
    final String underlayA = "10.77.0.1";
    final String underlayB = "10.77.0.2";
    private final List<Process> processes = new ArrayList<>();
    private final Path logs = Path.of("target", "interop-logs");

    static void assumeCapable() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and TUN");
        for (String tool : List.of("ip", "wg", "wireguard-go", "ping")) {
            boolean found =
                    Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            Assumptions.assumeTrue(found, "needs " + tool + " (.ci/run installs it)");
        }
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
    }

    Netns() throws Exception {
        Files.createDirectories(logs);
        run("ip", "netns", "add", a);
        run("ip", "netns", "add", b);
        run("ip", "link", "add", "ovv" + tag + "a", "type", "veth", "peer", "name", "ovv" + tag + "b");
        run("ip", "link", "set", "ovv" + tag + "a", "netns", a);
        run("ip", "link", "set", "ovv" + tag + "b", "netns", b);
        run("ip", "-n", a, "addr", "add", underlayA + "/24", "dev", "ovv" + tag + "a");
        run("ip", "-n", b, "addr", "add", underlayB + "/24", "dev", "ovv" + tag + "b");
        for (String ns : List.of(a, b)) {
            run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        run("ip", "-n", a, "link", "set", "ovv" + tag + "a", "up");
        run("ip", "-n", b, "link", "set", "ovv" + tag + "b", "up");
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** Runs a command in a namespace and returns its exit code and output (no exception on failure). */
    static Result attempt(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Result(p.exitValue(), out);
    }

    record Result(int code, String output) {}

    static String in(String ns, String... cmd) throws IOException, InterruptedException {
        Result r = attempt(ns, cmd);
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " in " + ns + " failed: " + r.output());
        }
        return r.output();
    }

    /** Starts a long-running process in a namespace; it is killed on close. Output goes to target/interop-logs. */
    Process start(String ns, String logName, List<String> env, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env"));
        full.addAll(env);
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(tag + "-" + logName + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    /** Waits for a WireGuard implementation's UAPI socket, returning early if the process died. */
    static void awaitSocket(Process p, String iface) throws InterruptedException {
        Path sock = Path.of("/var/run/wireguard", iface + ".sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(sock) && System.nanoTime() < deadline && !p.waitFor(50, TimeUnit.MILLISECONDS)) {
            // waitFor is the wait: it returns as soon as the process exits
        }
        assertTrue(Files.exists(sock), iface + " did not come up (process alive: " + p.isAlive() + ")");
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy(); // SIGTERM first: the devices remove their sockets on the way out
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (String ns : List.of(a, b)) {
            // anything still inside (a daemonised device) goes with its namespace
            Process pids = new ProcessBuilder("ip", "netns", "pids", ns).start();
            for (String pid : new String(pids.getInputStream().readAllBytes()).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            pids.waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
        }
        try (var socks = Files.newDirectoryStream(Path.of("/var/run/wireguard"), "*" + tag + ".sock")) {
            for (Path s : socks) {
                Files.deleteIfExists(s); // left by a process that had to be killed
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing was started
        }
    }
}
