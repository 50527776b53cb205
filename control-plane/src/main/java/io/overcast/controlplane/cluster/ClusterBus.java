package io.overcast.controlplane.cluster;

import io.overcast.controlplane.session.SessionRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Replicas talk through PostgreSQL LISTEN/NOTIFY on channel {@value #CHANNEL}; no broker. A message published
 * inside a transaction is delivered when it commits, so a revocation and its "close the session" order cannot
 * drift apart. Messages:
 *
 * <ul>
 *   <li>{@code close:<instanceId>}: whoever holds the instance's session closes it (revoked, replaced, deleted).
 *   <li>{@code takeover:<instanceId>:<sessionId>}: the instance reconnected elsewhere; older sessions close.
 *   <li>{@code command:<instanceId>:<command>}: whoever holds the session sends the command to the edge.
 * </ul>
 *
 * It also keeps this replica's row in {@code replicas} fresh, so survivors can tell a dead replica's edges.
 */
@ApplicationScoped
public class ClusterBus {
    public static final String CHANNEL = "overcast_sessions";
    private static final Logger LOG = Logger.getLogger(ClusterBus.class);
    private final String replicaId = UUID.randomUUID().toString();

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    SessionRegistry sessions;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    java.util.Optional<String> password;

    private PgSubscriber subscriber;

    /** Fleet changes for the console, sent by database triggers (V2__console_events.sql). */
    public static final String EVENTS_CHANNEL = "overcast_events";

    @Inject
    io.overcast.controlplane.console.EventHub events;

    public String replicaId() {
        return replicaId;
    }

    public static String closeSession(UUID instanceId) {
        return "close:" + instanceId;
    }

    /** Asks whichever replica holds the instance's session to send it a command. */
    public static String command(UUID instanceId, String command) {
        return "command:" + instanceId + ":" + command;
    }

    public static String takeover(UUID instanceId, UUID sessionId) {
        return "takeover:" + instanceId + ":" + sessionId;
    }

    void onStart(@Observes @Priority(40) StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser(user).setPassword(password.orElse(""));
        subscriber = PgSubscriber.subscriber(vertx, options);
        subscriber.reconnectPolicy(attempt -> 500L);
        subscriber.channel(CHANNEL).handler(this::onMessage);
        subscriber.channel(EVENTS_CHANNEL).handler(events::publish);
        subscriber.connectAndAwait();
        beat().await().indefinitely();
        LOG.infof("replica %s listening on %s", replicaId, CHANNEL);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
        // Leaving cleanly lets the survivors take over this replica's edges at once; if the database is gone,
        // they notice the stale row instead.
        try {
            pool.preparedQuery("DELETE FROM replicas WHERE id = $1")
                    .execute(Tuple.of(replicaId))
                    .await()
                    .atMost(java.time.Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.warnf("could not deregister replica %s: %s", replicaId, e.getMessage());
        }
    }

    /** Queues a message on the caller's transaction. */
    public Uni<Void> publish(SqlConnection conn, String message) {
        return conn.preparedQuery("SELECT pg_notify($1, $2)")
                .execute(Tuple.of(CHANNEL, message))
                .replaceWithVoid();
    }

    void onMessage(String payload) {
        String[] p = payload.split(":");
        try {
            switch (p[0]) {
                case "close" -> sessions.closeInstance(UUID.fromString(p[1]), 4003, "revoked or replaced");
                case "takeover" -> sessions.closeOlder(UUID.fromString(p[1]), UUID.fromString(p[2]));
                case "command" -> sessions.command(UUID.fromString(p[1]), p[2]);
                default -> LOG.warnf("ignoring unknown cluster message %s", p[0]);
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring malformed cluster message: %s", e.getMessage());
        }
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> beat() {
        return pool.preparedQuery(
                        "INSERT INTO replicas (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET last_seen = now()")
                .execute(Tuple.of(replicaId))
                .replaceWithVoid();
    }
}
