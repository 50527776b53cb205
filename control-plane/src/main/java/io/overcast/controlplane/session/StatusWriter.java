package io.overcast.controlplane.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.overcast.controlplane.cluster.ClusterBus;
import io.overcast.controlplane.config.OvercastConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Instance status transitions. ONLINE is written when a session opens (one row, one transaction). OFFLINE comes
 * from three places and is always guarded so that a transition happens once: a closed session (queued and
 * written in batches, so a thousand edges dropping at once is a handful of statements), a silent session
 * (closed by {@link #sweepLocal}), and a dead replica or stale heartbeat ({@link #sweepDatabase}, run by every
 * replica; the conditional UPDATE lets exactly one of them win each row). Each transition records its alert and
 * queues its notifications in the same transaction, through {@code overcast_record_transitions}.
 */
@ApplicationScoped
public class StatusWriter {
    private static final Logger LOG = Logger.getLogger(StatusWriter.class);
    private static final double REPLICA_DEAD_AFTER_SECONDS = 3;

    record Closed(UUID instanceId, UUID sessionId) {}

    private final ConcurrentLinkedQueue<Closed> closed = new ConcurrentLinkedQueue<>();

    @Inject
    Pool pool;

    @Inject
    ClusterBus bus;

    @Inject
    SessionRegistry registry;

    @Inject
    OvercastConfig config;

    private final Counter offlineTransitions;
    private final Counter onlineTransitions;

    StatusWriter(MeterRegistry metrics) {
        offlineTransitions = metrics.counter("overcast.transitions", "to", "OFFLINE");
        onlineTransitions = metrics.counter("overcast.transitions", "to", "ONLINE");
    }

    Uni<Void> online(EdgeSession s) {
        return pool.withTransaction(conn -> conn.preparedQuery("WITH prev AS (SELECT id, status FROM instances WHERE"
                                + " id = $1 FOR UPDATE) UPDATE instances i SET status = 'ONLINE', session_id = $2,"
                                + " replica_id = $3, last_seen = now(), status_changed_at = CASE WHEN prev.status ="
                                + " 'ONLINE' THEN i.status_changed_at ELSE now() END FROM prev WHERE i.id = prev.id"
                                + " AND prev.status <> 'REVOKED' RETURNING prev.status AS before")
                        .execute(Tuple.of(s.instanceId, s.sessionId, bus.replicaId()))
                        .flatMap(rows -> {
                            if (!rows.iterator().hasNext()) {
                                s.close(SessionRegistry.CLOSE_REVOKED, "instance revoked or removed");
                                return Uni.createFrom().voidItem();
                            }
                            String before = rows.iterator().next().getString("before");
                            Uni<Void> alert = "OFFLINE".equals(before)
                                    ? record(conn, List.of(s.instanceId), "ONLINE")
                                    : Uni.createFrom().voidItem();
                            if (!"ONLINE".equals(before)) {
                                onlineTransitions.increment();
                            }
                            // Only a session that was ONLINE somewhere may still be held by another replica.
                            // (NOTIFY serialises commits cluster-wide: send it only when it is needed.)
                            return "ONLINE".equals(before)
                                    ? alert.flatMap(
                                            x -> bus.publish(conn, ClusterBus.takeover(s.instanceId, s.sessionId)))
                                    : alert;
                        }))
                .replaceWithVoid();
    }

    @Inject
    io.vertx.mutiny.core.Vertx vertx;

    private final java.util.concurrent.atomic.AtomicBoolean flushQueued =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Queues an OFFLINE transition and asks for a flush 50 ms later, so that sessions closing together (a site's
     * uplink, a mass disconnect) share one statement, and none waits for the one-second safety net.
     */
    void offline(UUID instanceId, UUID sessionId) {
        closed.add(new Closed(instanceId, sessionId));
        if (flushQueued.compareAndSet(false, true)) {
            vertx.setTimer(50, id -> {
                flushQueued.set(false);
                flushClosed().subscribe().with(x -> {}, e -> LOG.warn("offline flush failed", e));
            });
        }
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushClosed() {
        if (closed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Closed> batch = new ArrayList<>();
        Closed c;
        while (batch.size() < 5000 && (c = closed.poll()) != null) {
            batch.add(c);
        }
        LOG.debugf("writing %d closed sessions", batch.size());
        Tuple t = Tuple.of(
                batch.stream().map(Closed::instanceId).toArray(UUID[]::new),
                batch.stream().map(Closed::sessionId).toArray(UUID[]::new));
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE instances i SET status = 'OFFLINE', session_id ="
                                + " NULL, replica_id = NULL, status_changed_at = now() FROM unnest($1::uuid[],"
                                + " $2::uuid[]) AS g(id, sid) WHERE i.id = g.id AND i.session_id = g.sid AND i.status ="
                                + " 'ONLINE' RETURNING i.id")
                        .execute(t)
                        .flatMap(rows -> {
                            LOG.debugf("%d of them went offline", rows.rowCount());
                            return record(conn, ids(rows), "OFFLINE");
                        }))
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf("writing %d offline transitions failed, will retry: %s", batch.size(), e.getMessage());
                    closed.addAll(batch);
                    return Uni.createFrom().voidItem();
                });
    }

    /** Closes this replica's sessions that sent nothing for two heartbeat intervals. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweepLocal() {
        long limit = 2 * config.edge().heartbeatInterval().toNanos();
        long now = System.nanoTime();
        for (EdgeSession s : registry.all()) {
            if (now - s.lastFrameNanos > limit && registry.remove(s)) {
                LOG.infof("instance %s sent nothing for two intervals: closing its session", s.instanceId);
                // A hung peer may never complete the close handshake: the transition cannot wait for it.
                offline(s.instanceId, s.sessionId);
                s.close(SessionRegistry.CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
            }
        }
    }

    /** Marks OFFLINE what no live replica vouches for: stale heartbeats, or sessions of a replica that died. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweepDatabase() {
        long staleSeconds = 2 * config.edge().heartbeatInterval().toSeconds() + 2;
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE instances SET status = 'OFFLINE', session_id ="
                                + " NULL, replica_id = NULL, status_changed_at = now() WHERE status = 'ONLINE' AND"
                                + " (last_seen < now() - make_interval(secs => $1) OR replica_id IS NULL OR NOT EXISTS (SELECT 1"
                                + " FROM replicas r WHERE r.id = instances.replica_id AND r.last_seen > now() -"
                                + " make_interval(secs => $2))) RETURNING id")
                        .execute(Tuple.of((double) staleSeconds, REPLICA_DEAD_AFTER_SECONDS))
                        .flatMap(rows -> record(conn, ids(rows), "OFFLINE")))
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf("offline sweep failed: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> record(SqlConnection conn, List<UUID> ids, String kind) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (kind.equals("OFFLINE")) {
            offlineTransitions.increment(ids.size());
        }
        return conn.preparedQuery("SELECT overcast_record_transitions($1::uuid[], $2, make_interval(secs => $3), $4)")
                .execute(Tuple.of(
                        ids.toArray(UUID[]::new),
                        kind,
                        (double) config.alerts().flapWindow().toSeconds(),
                        config.alerts().flapThreshold()))
                .replaceWithVoid();
    }

    private static List<UUID> ids(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<UUID> ids = new ArrayList<>();
        for (Row r : rows) {
            ids.add(r.getUUID("id"));
        }
        return ids;
    }
}
