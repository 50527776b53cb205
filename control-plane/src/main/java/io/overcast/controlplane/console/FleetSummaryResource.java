package io.overcast.controlplane.console;

import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.auth.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * GET /api/v1/fleet/summary: per tenant the caller can see, its instance counts by status, its unacknowledged
 * problem alerts and its worst current problem (the instance offline the longest). One grouped query, so an MSP
 * overview of many tenants and thousands of instances is a single round trip.
 */
@Path("/api/v1/fleet/summary")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class FleetSummaryResource {
    public record Problem(String instanceId, String instanceName, String status, OffsetDateTime since) {}

    public record TenantSummary(
            UUID tenantId,
            String name,
            long total,
            long online,
            long offline,
            long pending,
            long revoked,
            long openAlerts,
            Problem worst) {}

    private final AccessControl access;
    private final Pool pool;

    FleetSummaryResource(AccessControl access, Pool pool) {
        this.access = access;
        this.pool = pool;
    }

    @GET
    public Uni<List<TenantSummary>> summary() {
        Caller c = access.caller();
        return pool.preparedQuery("SELECT t.id, t.name, count(i.id) AS total,"
                        + " count(i.id) FILTER (WHERE i.status = 'ONLINE') AS online,"
                        + " count(i.id) FILTER (WHERE i.status = 'OFFLINE') AS offline,"
                        + " count(i.id) FILTER (WHERE i.status = 'PENDING') AS pending,"
                        + " count(i.id) FILTER (WHERE i.status = 'REVOKED') AS revoked,"
                        + " (SELECT count(*) FROM alerts a WHERE a.tenant_id = t.id AND a.acknowledged_at IS NULL"
                        + "   AND a.kind IN ('OFFLINE', 'FLAPPING')) AS open_alerts,"
                        + " w.id AS worst_id, w.name AS worst_name, w.status_changed_at AS worst_since"
                        + " FROM tenants t LEFT JOIN instances i ON i.tenant_id = t.id"
                        + " LEFT JOIN LATERAL (SELECT o.id, o.name, o.status_changed_at FROM instances o"
                        + "   WHERE o.tenant_id = t.id AND o.status = 'OFFLINE' ORDER BY o.status_changed_at LIMIT 1) w"
                        + "   ON true"
                        + " WHERE t.org_id = $1 AND ($2::uuid IS NULL OR t.id = $2)"
                        + " GROUP BY t.id, t.name, w.id, w.name, w.status_changed_at ORDER BY t.name")
                .execute(Tuple.of(c.orgId(), c.tenantId()))
                .map(rows -> {
                    List<TenantSummary> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new TenantSummary(
                            r.getUUID("id"),
                            r.getString("name"),
                            r.getLong("total"),
                            r.getLong("online"),
                            r.getLong("offline"),
                            r.getLong("pending"),
                            r.getLong("revoked"),
                            r.getLong("open_alerts"),
                            r.getUUID("worst_id") == null
                                    ? null
                                    : new Problem(
                                            r.getUUID("worst_id").toString(),
                                            r.getString("worst_name"),
                                            "OFFLINE",
                                            r.getOffsetDateTime("worst_since")))));
                    return out;
                });
    }
}
