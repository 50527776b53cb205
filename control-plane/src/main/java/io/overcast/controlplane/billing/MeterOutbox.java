package io.overcast.controlplane.billing;

import com.stripe.exception.StripeException;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Sends consumed days to Stripe as Billing meter events. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so
 * two replicas share the backlog without sending a row twice at the same time; a row is marked sent in the same
 * transaction that claimed it, after Stripe accepted it. A crash between the two resends the row, under the same
 * identifier and idempotency key, which Stripe keeps once. A failed send waits (exponential backoff up to an hour)
 * and is tried again; nothing is dropped.
 */
@ApplicationScoped
public class MeterOutbox {
    private static final Logger LOG = Logger.getLogger(MeterOutbox.class);

    private final AgroalDataSource ds;
    private final StripeGateway stripe;
    private final int batch;
    private final ExecutorService senders;
    private final Counter sent;
    private final Counter failed;

    MeterOutbox(
            AgroalDataSource ds,
            StripeGateway stripe,
            io.overcast.controlplane.config.OvercastConfig config,
            MeterRegistry metrics) {
        int concurrency = config.stripe().meterConcurrency();
        this.ds = ds;
        this.stripe = stripe;
        this.batch = config.stripe().meterBatch();
        this.senders = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "overcast-meter-sender");
            t.setDaemon(true);
            return t;
        });
        this.sent = metrics.counter("overcast.meter.events", "result", "sent");
        this.failed = metrics.counter("overcast.meter.events", "result", "failed");
    }

    void onStop(@Observes ShutdownEvent event) {
        senders.shutdownNow();
    }

    @Scheduled(every = "${overcast.stripe.meter-flush-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!stripe.enabled()) {
            return;
        }
        try {
            flush();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("meter flush failed, will retry: %s", e.getMessage());
        }
    }

    /** Sends every due event, batch after batch; answers how many Stripe accepted. */
    public int flush() throws SQLException {
        int total = 0;
        while (true) {
            Pass pass = pass();
            total += pass.sent();
            if (pass.claimed() < batch || pass.sent() == 0) {
                return total;
            }
        }
    }

    record Pass(int claimed, int sent) {}

    private record Due(String identifier, String eventName, Instant at, int attempts, String customer) {}

    private Pass pass() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Due> due = new ArrayList<>();
                try (PreparedStatement q = c.prepareStatement("SELECT o.identifier, o.event_name, o.occurred_at,"
                        + " o.attempts, org.stripe_customer FROM meter_outbox o JOIN organizations org ON org.id ="
                        + " o.org_id WHERE o.sent_at IS NULL AND o.next_attempt_at <= now() ORDER BY"
                        + " o.next_attempt_at LIMIT ? FOR UPDATE OF o SKIP LOCKED")) {
                    q.setInt(1, batch);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Due(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getTimestamp(3).toInstant(),
                                    rs.getInt(4),
                                    rs.getString(5)));
                        }
                    }
                }
                List<CompletableFuture<String>> sends = new ArrayList<>();
                for (Due d : due) {
                    sends.add(CompletableFuture.supplyAsync(() -> send(d), senders));
                }
                List<String> ok = new ArrayList<>();
                List<String> bad = new ArrayList<>();
                List<String> errors = new ArrayList<>();
                List<Integer> waits = new ArrayList<>();
                for (int i = 0; i < due.size(); i++) {
                    String error = sends.get(i).join();
                    if (error == null) {
                        ok.add(due.get(i).identifier());
                    } else {
                        bad.add(due.get(i).identifier());
                        errors.add(error);
                        waits.add((int)
                                Math.min(3600, 5L << Math.min(20, due.get(i).attempts())));
                    }
                }
                if (!ok.isEmpty()) {
                    try (PreparedStatement u = c.prepareStatement("UPDATE meter_outbox SET sent_at = now(), attempts"
                            + " = attempts + 1, last_error = NULL WHERE identifier = ANY(?)")) {
                        u.setArray(1, c.createArrayOf("text", ok.toArray()));
                        u.executeUpdate();
                    }
                }
                if (!bad.isEmpty()) {
                    try (PreparedStatement u = c.prepareStatement("UPDATE meter_outbox o SET attempts = attempts + 1,"
                            + " last_error = f.err, next_attempt_at = now() + make_interval(secs => f.wait) FROM"
                            + " unnest(?::text[], ?::text[], ?::int[]) AS f(id, err, wait) WHERE o.identifier ="
                            + " f.id")) {
                        Array ids = c.createArrayOf("text", bad.toArray());
                        u.setArray(1, ids);
                        u.setArray(2, c.createArrayOf("text", errors.toArray()));
                        u.setArray(3, c.createArrayOf("int4", waits.toArray()));
                        u.executeUpdate();
                    }
                }
                c.commit();
                sent.increment(ok.size());
                failed.increment(bad.size());
                if (!bad.isEmpty()) {
                    LOG.warnf(
                            "%d meter events were not accepted (first: %s); they will be sent again",
                            bad.size(), errors.get(0));
                }
                return new Pass(due.size(), ok.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Null when Stripe accepted the event, else a short reason (no customer data). */
    private String send(Due d) {
        if (d.customer() == null) {
            return "the organization has no Stripe customer";
        }
        try {
            stripe.sendMeterEvent(d.identifier(), d.eventName(), d.customer(), d.at());
            return null;
        } catch (StripeException e) {
            return "stripe " + (e.getCode() != null ? e.getCode() : "status " + e.getStatusCode());
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}
