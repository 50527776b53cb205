package io.overcast.controlplane.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts the packaged control plane and the edge CLI as real processes, with their output in target/e2e. */
final class Processes {
    static final Path LOGS = Path.of("target", "e2e");
    static final String MASTER_KEY = "ZTJlLW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE=";

    private Processes() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Drops a database on the local PostgreSQL, if it exists. */
    static void dropDatabase(String name) throws SQLException {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** Drops and creates a database on the local PostgreSQL. */
    static void freshDatabase(String name) throws SQLException {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A running process whose combined output goes to a log file. */
    static final class Proc implements AutoCloseable {
        final Process process;
        final Path log;

        Proc(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }

    static Proc start(String name, List<String> command, Map<String, String> env) throws IOException {
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(name + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new Proc(pb.start(), log);
    }

    static Map<String, String> controlPlaneEnv(String db, int httpsPort, int smtpPort) throws IOException {
        return new java.util.HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL",
                "jdbc:postgresql://127.0.0.1:5432/" + db,
                "QUARKUS_DATASOURCE_REACTIVE_URL",
                "postgresql://127.0.0.1:5432/" + db,
                "QUARKUS_HTTP_SSL_PORT",
                Integer.toString(httpsPort),
                "QUARKUS_HTTP_PORT",
                Integer.toString(freePort()),
                "QUARKUS_MAILER_PORT",
                Integer.toString(smtpPort),
                "OVERCAST_MASTER_KEY",
                MASTER_KEY,
                "OVERCAST_BOOTSTRAP_ADMIN_EMAIL",
                "admin@example.test",
                "OVERCAST_BOOTSTRAP_ADMIN_PASSWORD",
                "an e2e password",
                "OVERCAST_EDGE_HEARTBEAT_INTERVAL",
                "2s"));
    }

    static Proc controlPlane(String name, Map<String, String> env) throws IOException {
        return start(name, List.of(java(), "-Xmx512m", "-jar", System.getProperty("overcast.controlPlaneJar")), env);
    }

    static Proc edge(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", System.getProperty("overcast.edgeJar")));
        cmd.addAll(List.of(args));
        return start(name, cmd, Map.of());
    }

    /** Runs an edge command to completion and returns its exit code. */
    static int edgeCommand(String name, String... args) throws Exception {
        try (Proc p = edge(name, args)) {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not finish: " + p.output());
            }
            return p.process.exitValue();
        }
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
