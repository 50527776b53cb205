package io.overcast.bench;

import io.overcast.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Meter events flushed per second: a backlog of usage records with their outbox rows is committed at once, and
 * the packaged control plane sends them to a local Stripe stand-in (stripe-java over loopback HTTP). Reports the
 * rate from the commit to the last row marked sent, and checks that the stand-in holds exactly one event per
 * record. Run: {@code bench/meter.sh [N]}.
 */
@Command(name = "meter-flush", mixinStandardHelpOptions = true)
public final class MeterFlushBench implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000")
    int count;

    @Option(names = "--control-plane-jar", defaultValue = "control-plane/target/quarkus-app/quarkus-run.jar")
    Path jar;

    @Option(names = "--db", defaultValue = "overcast_bench_meter")
    String db;

    @Option(names = "--concurrency", defaultValue = "8", description = "meter events in flight (control plane)")
    int concurrency;

    @Option(names = "--batch", defaultValue = "200", description = "rows claimed per outbox pass")
    int batch;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MeterFlushBench()).execute(args));
    }

    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

    @Override
    public Integer call() throws Exception {
        try (Connection admin = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + db);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path log = Files.createTempFile("meter-bench-control-plane", ".log");
        try (FakeStripe stripe = new FakeStripe()) {
            ProcessBuilder pb = new ProcessBuilder(List.of(
                            ProcessHandle.current().info().command().orElse("java"), "-Xmx1g", "-jar", jar.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            var env = pb.environment();
            env.put("QUARKUS_DATASOURCE_JDBC_URL", PG + db);
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + db);
            env.put("QUARKUS_HTTP_SSL_PORT", "9643");
            env.put("QUARKUS_HTTP_PORT", "9644");
            env.put("OVERCAST_MASTER_KEY", Base64.getEncoder().encodeToString(key));
            env.put("OVERCAST_BOOTSTRAP_ADMIN_EMAIL", "bench@example.test");
            env.put("OVERCAST_BOOTSTRAP_ADMIN_PASSWORD", "bench-password-123");
            env.put("OVERCAST_STRIPE_API_KEY", FakeStripe.API_KEY);
            env.put("OVERCAST_STRIPE_API_BASE", stripe.base());
            env.put("OVERCAST_STRIPE_WEBHOOK_SECRET", "whsec_bench");
            env.put("OVERCAST_STRIPE_METER_FLUSH_EVERY", "1s");
            env.put("OVERCAST_STRIPE_METER_CONCURRENCY", Integer.toString(concurrency));
            env.put("OVERCAST_STRIPE_METER_BATCH", Integer.toString(batch));
            env.put("QUARKUS_LOG_CATEGORY__IO_OVERCAST__LEVEL", "WARN");
            Process cp = pb.start();
            try (Connection c = DriverManager.getConnection(PG + db, "postgres", "")) {
                awaitStarted(c, cp, log);
                long t0 = backlog(c);
                long left;
                do {
                    Thread.sleep(100);
                    left = scalar(c, "SELECT count(*) FROM meter_outbox WHERE sent_at IS NULL");
                } while (left > 0 && cp.isAlive());
                double secs = (System.nanoTime() - t0) / 1e9;
                long failedAttempts = scalar(c, "SELECT coalesce(sum(attempts - 1), 0) FROM meter_outbox");
                System.out.printf(
                        "java %s, %d cores: %d meter events flushed in %.2f s: %.0f events/s (concurrency %d, batch"
                                + " %d)%n",
                        System.getProperty("java.version"),
                        Runtime.getRuntime().availableProcessors(),
                        count,
                        secs,
                        count / secs,
                        concurrency,
                        batch);
                System.out.printf(
                        "stand-in: %d distinct events billed from %d requests; %d resends%n",
                        stripe.meterEvents().size(),
                        stripe.requests("/v1/billing/meter_events").size(),
                        failedAttempts);
            } finally {
                cp.destroy();
                cp.waitFor(20, TimeUnit.SECONDS);
            }
        }
        return 0;
    }

    private static void awaitStarted(Connection c, Process cp, Path log) throws Exception {
        for (int i = 0; i < 900; i++) {
            if (!cp.isAlive()) {
                throw new IllegalStateException("the control plane exited: " + Files.readString(log));
            }
            try {
                if (scalar(c, "SELECT count(*) FROM replicas") > 0
                        && scalar(c, "SELECT count(*) FROM organizations") > 0
                        && scalar(c, "SELECT count(*) FROM plans WHERE id = 'ntopng-el-daily'") > 0) {
                    return;
                }
            } catch (java.sql.SQLException notYet) {
                // tables not migrated yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the control plane did not start: " + Files.readString(log));
    }

    /** Commits the backlog in one transaction; answers the commit's time (nanoTime). */
    private long backlog(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE organizations SET stripe_customer = 'cus_bench'");
            s.execute(
                    "INSERT INTO tenants (id, org_id, name) SELECT gen_random_uuid(), id, 'bench' FROM organizations");
            s.execute(
                    "INSERT INTO licenses (id, org_id, tenant_id, plan_id, product, edition, kind, seats, not_before,"
                            + " status, source, key_id, document) SELECT gen_random_uuid(), t.org_id, t.id, 'ntopng-el-daily',"
                            + " 'ntopng', 'enterprise_l', 'DAILY', 1, now(), 'ACTIVE', 'STRIPE', 'bench', 'bench' FROM tenants t");
            s.execute("INSERT INTO usage_days (license_id, instance_id, product, edition, day, org_id, tenant_id,"
                    + " lease_id, identifier) SELECT l.id, gen_random_uuid(), 'ntopng', 'enterprise_l', current_date,"
                    + " l.org_id, l.tenant_id, gen_random_uuid(), 'ovc_bench_' || n FROM licenses l,"
                    + " generate_series(1, " + count + ") AS n");
            int queued = s.executeUpdate("INSERT INTO meter_outbox (identifier, org_id, event_name, occurred_at)"
                    + " SELECT identifier, org_id, 'ovc_ntopng_enterprise_l_days', now() FROM usage_days");
            if (queued != count) {
                throw new IllegalStateException("queued " + queued + " meter events, not " + count);
            }
        }
        c.commit();
        long t0 = System.nanoTime();
        c.setAutoCommit(true);
        return t0;
    }

    private static long scalar(Connection c, String sql) throws java.sql.SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
