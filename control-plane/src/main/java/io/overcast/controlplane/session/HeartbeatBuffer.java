package io.overcast.controlplane.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.protocol.Health;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Write-behind for heartbeats: the latest sample per instance waits in memory and a flush writes all of them in
 * two statements (instances' last_seen and health; one health sample per instance and minute), so 50,000 edges
 * cost two round trips per flush interval instead of 50,000 single-row updates.
 */
@ApplicationScoped
public class HeartbeatBuffer {
    private static final Logger LOG = Logger.getLogger(HeartbeatBuffer.class);
    private static final int BATCH = 5000;

    record Pending(Health health, OffsetDateTime at, String licenses) {}

    private final ConcurrentHashMap<UUID, Pending> pending = new ConcurrentHashMap<>();
    private final Pool pool;
    private final ObjectMapper mapper;
    private final OvercastConfig config;
    private final SessionRegistry registry;

    HeartbeatBuffer(Pool pool, ObjectMapper mapper, OvercastConfig config, SessionRegistry registry) {
        this.pool = pool;
        this.mapper = mapper;
        this.config = config;
        this.registry = registry;
    }

    void record(UUID instanceId, Health health, List<io.overcast.protocol.Payloads.LicenseState> licenses) {
        pending.put(
                instanceId,
                new Pending(health, OffsetDateTime.now(ZoneOffset.UTC), licenses == null ? null : json(licenses)));
    }

    @Scheduled(every = "${overcast.edge.flush-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flush() {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        var ids = new ArrayList<UUID>();
        var ats = new ArrayList<OffsetDateTime>();
        var healths = new ArrayList<String>();
        var licenses = new ArrayList<String>();
        var loads = new ArrayList<Double>();
        var used = new ArrayList<Long>();
        var total = new ArrayList<Long>();
        var diskFree = new ArrayList<Long>();
        var monitor = new ArrayList<String>();
        var taken = new ArrayList<Map.Entry<UUID, Pending>>();
        for (Map.Entry<UUID, Pending> e : pending.entrySet()) {
            if (!pending.remove(e.getKey(), e.getValue())) {
                continue;
            }
            Health h = e.getValue().health();
            taken.add(Map.entry(e.getKey(), e.getValue()));
            ids.add(e.getKey());
            ats.add(e.getValue().at());
            healths.add(json(h));
            licenses.add(e.getValue().licenses());
            loads.add(h.load1());
            used.add(h.memUsedBytes());
            total.add(h.memTotalBytes());
            diskFree.add(
                    h.disks() == null || h.disks().isEmpty()
                            ? null
                            : h.disks().stream()
                                    .mapToLong(Health.Disk::freeBytes)
                                    .min()
                                    .orElse(0));
            monitor.add(h.monitor() == null ? null : h.monitor().status());
            if (ids.size() >= BATCH) {
                break;
            }
        }
        Tuple t = Tuple.of(
                ids.toArray(UUID[]::new),
                ats.toArray(OffsetDateTime[]::new),
                healths.toArray(String[]::new),
                licenses.toArray(String[]::new));
        Tuple samples = Tuple.from(new Object[] {
            ids.toArray(UUID[]::new),
            ats.toArray(OffsetDateTime[]::new),
            loads.toArray(Double[]::new),
            used.toArray(Long[]::new),
            total.toArray(Long[]::new),
            diskFree.toArray(Long[]::new),
            monitor.toArray(String[]::new)
        });
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE instances i SET last_seen = v.at,"
                                + " health = v.health::jsonb, license_state = coalesce(v.lic::jsonb, i.license_state)"
                                + " FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[]) AS v(id, at,"
                                + " health, lic) WHERE i.id = v.id AND i.status = 'ONLINE' RETURNING i.id")
                        .execute(t)
                        .invoke(rows -> resyncLost(ids, rows))
                        .flatMap(x -> conn.preparedQuery("INSERT INTO health_samples (instance_id, minute, load1,"
                                        + " mem_used, mem_total, disk_free_min, monitor_status) SELECT v.id,"
                                        + " date_trunc('minute', v.at), v.load1, v.used, v.total, v.disk, v.mon FROM"
                                        + " unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::int8[],"
                                        + " $5::int8[], $6::int8[], $7::text[]) AS v(id, at, load1, used, total, disk,"
                                        + " mon) JOIN instances i ON i.id = v.id ON CONFLICT (instance_id, minute) DO"
                                        + " NOTHING")
                                .execute(samples)))
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf("heartbeat flush of %d failed, will retry: %s", ids.size(), e.getMessage());
                    taken.forEach(p -> pending.putIfAbsent(p.getKey(), p.getValue()));
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * A session this replica holds whose instance is no longer ONLINE in the database (another replica's sweep
     * judged this one dead during a long pause, say) is closed, so that the edge reconnects and its status is
     * written again through the normal path, alert included, instead of staying wrong while it heartbeats.
     */
    private void resyncLost(List<UUID> flushed, io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row> rows) {
        if (rows.rowCount() == flushed.size()) {
            return;
        }
        var updated = new java.util.HashSet<UUID>();
        rows.forEach(r -> updated.add(r.getUUID("id")));
        for (UUID id : flushed) {
            if (!updated.contains(id)) {
                EdgeSession s = registry.get(id);
                if (s != null && registry.remove(s)) {
                    LOG.warnf(
                            "instance %s is not ONLINE in the database although its session is here: reconnecting", id);
                    s.close(SessionRegistry.CLOSE_RESYNC, "status lost, reconnect");
                }
            }
        }
    }

    @Scheduled(every = "1h", delay = 1, delayUnit = java.util.concurrent.TimeUnit.MINUTES)
    Uni<Void> expireSamples() {
        return pool.preparedQuery("DELETE FROM health_samples WHERE minute < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.edge().healthRetention().toSeconds()))
                .replaceWithVoid();
    }

    private String json(Object h) {
        try {
            return mapper.writeValueAsString(h);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
