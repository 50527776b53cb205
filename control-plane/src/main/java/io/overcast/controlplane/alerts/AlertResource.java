package io.overcast.controlplane.alerts;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Status-transition alerts of a tenant, newest first, with their notification deliveries. */
@Path("/api/v1/tenants/{tenantId}/alerts")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class AlertResource {
    static final Set<String> KINDS = Set.of("OFFLINE", "ONLINE", "FLAPPING");

    public record AlertView(
            long id,
            UUID instanceId,
            String instanceName,
            String kind,
            String message,
            boolean notifies,
            OffsetDateTime createdAt,
            OffsetDateTime acknowledgedAt) {
        static AlertView of(Row r) {
            return new AlertView(
                    r.getLong("id"),
                    r.getUUID("instance_id"),
                    r.getString("instance_name"),
                    r.getString("kind"),
                    r.getString("message"),
                    r.getBoolean("notify"),
                    r.getOffsetDateTime("created_at"),
                    r.getOffsetDateTime("acknowledged_at"));
        }
    }

    public record DeliveryView(
            long id,
            UUID channelId,
            String status,
            int attempts,
            String lastError,
            OffsetDateTime deliveredAt,
            OffsetDateTime nextAttemptAt) {}

    private static final String COLUMNS =
            "id, instance_id, instance_name, kind, message, notify, created_at, acknowledged_at";

    private final AccessControl access;
    private final Pool pool;
    private final AuditLog audit;

    AlertResource(AccessControl access, Pool pool, AuditLog audit) {
        this.access = access;
        this.pool = pool;
        this.audit = audit;
    }

    @GET
    @WithSession
    public Uni<List<AlertView>> list(
            @PathParam("tenantId") UUID tenantId,
            @QueryParam("kind") String kind,
            @QueryParam("instanceId") UUID instanceId,
            @QueryParam("open") String openParam,
            @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        if (openParam != null && !openParam.equals("true") && !openParam.equals("false")) {
            throw ApiException.badRequest("invalid_open", "open must be true (unacknowledged) or false (acknowledged)");
        }
        Boolean open = openParam == null ? null : Boolean.valueOf(openParam);
        if (kind != null && !KINDS.contains(kind)) {
            throw ApiException.badRequest("invalid_kind", "kind must be one of " + KINDS);
        }
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("invalid_page", "page >= 0 and 1 <= size <= 500");
        }
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT " + COLUMNS + " FROM alerts WHERE tenant_id = $1 AND ($2::text"
                                + " IS NULL OR kind = $2) AND ($3::uuid IS NULL OR instance_id = $3) AND ($6::boolean IS NULL OR"
                                + " (acknowledged_at IS NULL) = $6) ORDER BY id DESC LIMIT $4 OFFSET $5")
                        .execute(Tuple.from(java.util.Arrays.asList(t.id, kind, instanceId, size, page * size, open))))
                .map(rows -> {
                    List<AlertView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(AlertView.of(r)));
                    return out;
                });
    }

    @POST
    @Path("/{id}/acknowledge")
    @WithSession
    public Uni<AlertView> acknowledge(@PathParam("tenantId") UUID tenantId, @PathParam("id") long id) {
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(t -> pool.withTransaction(conn -> conn.preparedQuery("UPDATE alerts SET acknowledged_at ="
                                + " coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by,"
                                + " $3) WHERE tenant_id = $1 AND id = $2 RETURNING " + COLUMNS)
                        .execute(Tuple.of(t.id, id, access.caller().userId()))
                        .flatMap(rows -> {
                            if (!rows.iterator().hasNext()) {
                                throw ApiException.notFound("alert");
                            }
                            AlertView v = AlertView.of(rows.iterator().next());
                            return audit.record(
                                            conn,
                                            access.actor(),
                                            t.id,
                                            "alert.acknowledged",
                                            "alert",
                                            Long.toString(id),
                                            null)
                                    .replaceWith(v);
                        })));
    }

    @GET
    @Path("/{id}/deliveries")
    @WithSession
    public Uni<List<DeliveryView>> deliveries(@PathParam("tenantId") UUID tenantId, @PathParam("id") long id) {
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT d.id, d.channel_id, d.status, d.attempts, d.last_error,"
                                + " d.delivered_at, d.next_attempt_at FROM deliveries d JOIN alerts a ON a.id ="
                                + " d.alert_id WHERE a.tenant_id = $1 AND a.id = $2 ORDER BY d.id")
                        .execute(Tuple.of(t.id, id)))
                .map(rows -> {
                    List<DeliveryView> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new DeliveryView(
                                r.getLong("id"),
                                r.getUUID("channel_id"),
                                r.getString("status"),
                                r.getInteger("attempts"),
                                r.getString("last_error"),
                                r.getOffsetDateTime("delivered_at"),
                                r.getOffsetDateTime("next_attempt_at")));
                    }
                    return out;
                });
    }
}
