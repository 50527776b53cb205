package io.overcast.controlplane.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.pki.PkiService;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Delivers queued notifications (the {@code deliveries} outbox). Any replica may run a delivery: rows are claimed
 * with {@code FOR UPDATE SKIP LOCKED} and a lease, so each is sent by one replica, and a replica that dies
 * mid-send leaves a lease that expires and is retried. Failures back off exponentially (5 s, 10 s, 20 s, ...
 * capped at 10 min) until {@code overcast.alerts.max-attempts}, then the delivery is FAILED.
 */
@ApplicationScoped
public class DeliveryWorker {
    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final int BATCH = 50;

    private final Pool pool;
    private final ReactiveMailer mailer;
    private final PkiService pki;
    private final OvercastConfig config;
    private final MeterRegistry metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    DeliveryWorker(Pool pool, ReactiveMailer mailer, PkiService pki, OvercastConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.mailer = mailer;
        this.pki = pki;
        this.config = config;
        this.metrics = metrics;
    }

    record Job(
            long id,
            int attempts,
            String kind,
            String target,
            byte[] secretSealed,
            java.util.UUID channelId,
            JsonObject alert) {}

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE deliveries d SET locked_until = now() +"
                                + " interval '60 seconds', attempts = attempts + 1 FROM (SELECT id FROM deliveries WHERE"
                                + " status = 'PENDING' AND next_attempt_at <= now() AND (locked_until IS NULL OR"
                                + " locked_until < now()) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) c WHERE d.id ="
                                + " c.id RETURNING d.id")
                        .execute(Tuple.of(BATCH)))
                .flatMap(claimed -> {
                    List<Long> ids = new ArrayList<>();
                    claimed.forEach(r -> ids.add(r.getLong("id")));
                    if (ids.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return pool.preparedQuery("SELECT d.id, d.attempts, c.kind, c.target, c.secret_sealed, c.id AS"
                                    + " channel_id, json_build_object('id', a.id, 'tenantId', a.tenant_id,"
                                    + " 'instanceId', a.instance_id, 'instanceName', a.instance_name, 'kind', a.kind,"
                                    + " 'message', a.message, 'createdAt', a.created_at) AS alert FROM deliveries d"
                                    + " JOIN notification_channels c ON c.id = d.channel_id JOIN alerts a ON a.id ="
                                    + " d.alert_id WHERE d.id = ANY($1)")
                            .execute(Tuple.of(ids.toArray(Long[]::new)))
                            .flatMap(rows -> {
                                List<Uni<Void>> sends = new ArrayList<>();
                                for (Row r : rows) {
                                    Object alert = r.getValue("alert");
                                    Job job = new Job(
                                            r.getLong("id"),
                                            r.getInteger("attempts"),
                                            r.getString("kind"),
                                            r.getString("target"),
                                            r.getBuffer("secret_sealed") == null
                                                    ? null
                                                    : r.getBuffer("secret_sealed")
                                                            .getBytes(),
                                            r.getUUID("channel_id"),
                                            alert instanceof JsonObject j ? j : new JsonObject(String.valueOf(alert)));
                                    sends.add(send(job));
                                }
                                return Uni.join()
                                        .all(sends)
                                        .andCollectFailures()
                                        .replaceWithVoid();
                            });
                })
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf("delivery run failed: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * Sends a test notification to a channel now, outside the outbox (nothing is recorded): the console's "send a
     * test" button. Fails with the channel's error (HTTP status, SMTP refusal, timeout).
     */
    public Uni<Void> sendTest(NotificationChannel c) {
        JsonObject alert = new JsonObject()
                .put("id", 0)
                .put("tenantId", c.tenantId.toString())
                .put("instanceId", (String) null)
                .put("instanceName", "(test)")
                .put("kind", "TEST")
                .put("message", "Test notification from Overcast for channel " + c.name)
                .put("createdAt", java.time.OffsetDateTime.now().toString());
        Job job = new Job(0, 0, c.kind, c.target, c.secretSealed, c.id, alert);
        return "WEBHOOK".equals(c.kind) ? webhook(job) : email(job);
    }

    private Uni<Void> send(Job job) {
        Uni<Void> attempt = "WEBHOOK".equals(job.kind()) ? webhook(job) : email(job);
        return attempt.flatMap(x -> settle(job, null))
                .onFailure()
                .recoverWithUni(
                        e -> settle(job, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }

    private Uni<Void> webhook(Job job) {
        String body = new JsonObject()
                .put("type", "alert." + job.alert().getString("kind").toLowerCase())
                .put("deliveryId", job.id())
                .put("alert", job.alert())
                .encode();
        String secret = new String(
                pki.masterKey().open("webhook:" + job.channelId(), job.secretSealed()), StandardCharsets.UTF_8);
        long ts = System.currentTimeMillis() / 1000;
        String signature = "t=" + ts + ",v1=" + WebhookSignature.sign(secret, ts, body);
        HttpRequest req = HttpRequest.newBuilder(URI.create(job.target()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", "Overcast-Webhook/1")
                .header(WebhookSignature.HEADER, signature)
                .header("X-Overcast-Delivery", Long.toString(job.id()))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return Uni.createFrom()
                .completionStage(() -> http.sendAsync(req, HttpResponse.BodyHandlers.discarding()))
                .map(resp -> {
                    if (resp.statusCode() / 100 != 2) {
                        throw new IllegalStateException("webhook answered HTTP " + resp.statusCode());
                    }
                    return null;
                });
    }

    private Uni<Void> email(Job job) {
        JsonObject a = job.alert();
        String subject = "[Overcast] " + a.getString("kind") + ": " + a.getString("instanceName");
        String text = a.getString("message") + "\n\nInstance: " + a.getString("instanceId") + "\nTenant: "
                + a.getString("tenantId") + "\nAt: " + a.getValue("createdAt") + "\n";
        return mailer.send(Mail.withText(job.target(), subject, text)
                .setFrom(config.alerts().mailFrom()));
    }

    private Uni<Void> settle(Job job, String error) {
        if (error == null) {
            metrics.counter("overcast.notifications", "kind", job.kind(), "result", "delivered")
                    .increment();
            return pool.preparedQuery("UPDATE deliveries SET status = 'DELIVERED', delivered_at = now(), locked_until ="
                            + " NULL, last_error = NULL WHERE id = $1")
                    .execute(Tuple.of(job.id()))
                    .replaceWithVoid();
        }
        metrics.counter("overcast.notifications", "kind", job.kind(), "result", "failed")
                .increment();
        boolean last = job.attempts() >= config.alerts().maxAttempts();
        long backoff = Math.min(5L << Math.min(job.attempts() - 1, 10), 600);
        LOG.infof("delivery %d to %s channel failed (attempt %d): %s", job.id(), job.kind(), job.attempts(), error);
        return pool.preparedQuery("UPDATE deliveries SET status = $2, last_error = $3, locked_until = NULL,"
                        + " next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1")
                .execute(Tuple.of(
                        job.id(),
                        last ? "FAILED" : "PENDING",
                        error.length() > 500 ? error.substring(0, 500) : error,
                        (double) backoff))
                .replaceWithVoid();
    }
}
