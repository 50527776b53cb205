package io.overcast.controlplane.fleet;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.cluster.ClusterBus;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Names;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The fleet of one tenant: list with filters, read, rename and tag, revoke, decommission, health history. */
@Path("/api/v1/tenants/{tenantId}/instances")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class InstanceResource {
    static final Set<String> STATUSES = Set.of("PENDING", "ONLINE", "OFFLINE", "REVOKED");

    /** Sort keys of the list; a leading "-" reverses. Each maps to fixed SQL, never to caller text. */
    static final Map<String, String> SORTS = Map.ofEntries(
            Map.entry("name", "name"),
            Map.entry("-name", "name DESC"),
            Map.entry("status", "status"),
            Map.entry("-status", "status DESC"),
            Map.entry("product", "product"),
            Map.entry("-product", "product DESC"),
            Map.entry("lastSeen", "last_seen NULLS FIRST"),
            Map.entry("-lastSeen", "last_seen DESC NULLS LAST"),
            Map.entry("statusChangedAt", "status_changed_at"),
            Map.entry("-statusChangedAt", "status_changed_at DESC"));

    public record Page<T>(List<T> items, long total, int page, int size) {}

    public record UpdateInstance(String name, List<String> tags) {}

    public record HealthPoint(
            OffsetDateTime at, Double load1, Long memUsed, Long memTotal, Long diskFreeMin, String monitorStatus) {}

    private final AccessControl access;
    private final Pool pool;
    private final AuditLog audit;
    private final ClusterBus bus;

    InstanceResource(AccessControl access, Pool pool, AuditLog audit, ClusterBus bus) {
        this.access = access;
        this.pool = pool;
        this.audit = audit;
        this.bus = bus;
    }

    @GET
    @WithSession
    public Uni<Page<InstanceView>> list(
            @PathParam("tenantId") UUID tenantId,
            @QueryParam("status") String status,
            @QueryParam("product") String product,
            @QueryParam("tag") String tag,
            @QueryParam("q") String text,
            @QueryParam("sort") @DefaultValue("name") String sort,
            @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        String order = SORTS.get(sort);
        if (order == null) {
            throw ApiException.badRequest(
                    "invalid_sort", "sort must be one of " + new java.util.TreeSet<>(SORTS.keySet()));
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_status", "status must be one of " + STATUSES);
        }
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("invalid_page", "page >= 0 and 1 <= size <= 500");
        }
        return access.tenant(tenantId, Role.VIEWER).flatMap(t -> {
            List<Object> args = new ArrayList<>(List.of(t.id));
            StringBuilder where = new StringBuilder("tenant_id = $1");
            if (status != null) {
                args.add(status);
                where.append(" AND status = $").append(args.size());
            }
            if (product != null) {
                args.add(product);
                where.append(" AND product = $").append(args.size());
            }
            if (tag != null) {
                args.add(tag);
                where.append(" AND tags ? $").append(args.size());
            }
            if (text != null && !text.isBlank()) {
                args.add("%"
                        + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                int n = args.size();
                where.append(" AND (name ILIKE $")
                        .append(n)
                        .append(" OR hostname ILIKE $")
                        .append(n)
                        .append(" OR system_id ILIKE $")
                        .append(n)
                        .append(")");
            }
            Tuple countArgs = Tuple.from(args);
            args.add(size);
            args.add(page * size);
            String sql = "SELECT " + InstanceView.COLUMNS + " FROM instances WHERE " + where + " ORDER BY " + order
                    + ", id" + " LIMIT $" + (args.size() - 1) + " OFFSET $" + args.size();
            return pool.preparedQuery("SELECT count(*) FROM instances WHERE " + where)
                    .execute(countArgs)
                    .flatMap(c -> pool.preparedQuery(sql)
                            .execute(Tuple.from(args))
                            .map(rows -> {
                                List<InstanceView> items = new ArrayList<>();
                                rows.forEach(r -> items.add(InstanceView.of(r)));
                                return new Page<>(items, c.iterator().next().getLong(0), page, size);
                            }));
        });
    }

    @GET
    @Path("/{id}")
    @WithSession
    public Uni<InstanceView> get(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.VIEWER).flatMap(t -> find(pool, t.id, id));
    }

    @PATCH
    @Path("/{id}")
    @WithSession
    public Uni<InstanceView> update(
            @PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id, UpdateInstance body) {
        if (body == null || (body.name() == null && body.tags() == null)) {
            throw ApiException.badRequest("request_malformed", "give name and/or tags");
        }
        String name = body.name() == null ? null : Names.required("name", body.name());
        List<String> tags = body.tags() == null ? null : Tags.validate(body.tags());
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(t -> pool.withTransaction(conn -> conn.preparedQuery(
                                "UPDATE instances SET name = coalesce($3, name), tags = coalesce($4, tags) WHERE"
                                        + " tenant_id = $1 AND id = $2 RETURNING " + InstanceView.COLUMNS)
                        .execute(Tuple.of(t.id, id, name, tags == null ? null : new JsonArray(tags)))
                        .flatMap(rows -> {
                            if (!rows.iterator().hasNext()) {
                                throw ApiException.notFound("instance");
                            }
                            Map<String, Object> details = new java.util.HashMap<>();
                            if (name != null) {
                                details.put("name", name);
                            }
                            if (tags != null) {
                                details.put("tags", tags);
                            }
                            InstanceView v = InstanceView.of(rows.iterator().next());
                            return audit.record(
                                            conn,
                                            access.actor(),
                                            t.id,
                                            "instance.updated",
                                            "instance",
                                            id.toString(),
                                            details)
                                    .replaceWith(v);
                        })));
    }

    /** Revokes the instance's certificates and closes its session, on whichever replica holds it, within a second. */
    @POST
    @Path("/{id}/revoke")
    @WithSession
    public Uni<InstanceView> revoke(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(t -> pool.withTransaction(conn -> revokeIn(conn, t.id, id)
                        .flatMap(x -> audit.record(
                                conn, access.actor(), t.id, "instance.revoked", "instance", id.toString(), null))
                        .flatMap(x -> bus.publish(conn, ClusterBus.closeSession(id)))))
                .flatMap(x -> find(pool, tenantId, id));
    }

    public record CommandRequest(String command) {}

    /**
     * Sends a command to the instance's edge through whichever replica holds its session: {@code renew_certificate}
     * (the edge makes a new key and asks for a certificate) or {@code disconnect} (it closes and reconnects).
     * Answers 202: the edge acknowledges over its session.
     */
    @POST
    @Path("/{id}/commands")
    @WithSession
    public Uni<Response> command(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id, CommandRequest body) {
        String command = body == null ? null : body.command();
        if (!io.overcast.protocol.Payloads.Command.RENEW_CERTIFICATE.equals(command)
                && !io.overcast.protocol.Payloads.Command.DISCONNECT.equals(command)) {
            throw ApiException.badRequest("invalid_command", "command must be renew_certificate or disconnect");
        }
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(t -> find(pool, t.id, id))
                .flatMap(i -> {
                    if (!"ONLINE".equals(i.status())) {
                        throw ApiException.conflict("instance_not_online", "the instance has no session");
                    }
                    return pool.withTransaction(conn -> audit.record(
                                    conn,
                                    access.actor(),
                                    tenantId,
                                    "instance.command",
                                    "instance",
                                    id.toString(),
                                    Map.of("command", command))
                            .flatMap(x -> bus.publish(conn, ClusterBus.command(id, command))));
                })
                .map(x -> Response.accepted(Map.of("command", command, "instanceId", id))
                        .build());
    }

    /** Decommissions: revokes, closes the session and deletes the instance with its health history. */
    @DELETE
    @Path("/{id}")
    @WithSession
    public Uni<Response> delete(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(t -> pool.withTransaction(conn -> revokeIn(conn, t.id, id)
                        .flatMap(x -> conn.preparedQuery("DELETE FROM instances WHERE id = $1")
                                .execute(Tuple.of(id)))
                        .flatMap(x -> audit.record(
                                conn, access.actor(), t.id, "instance.decommissioned", "instance", id.toString(), null))
                        .flatMap(x -> bus.publish(conn, ClusterBus.closeSession(id)))))
                .map(x -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/health")
    @WithSession
    public Uni<List<HealthPoint>> health(
            @PathParam("tenantId") UUID tenantId,
            @PathParam("id") UUID id,
            @QueryParam("from") OffsetDateTime from,
            @QueryParam("to") OffsetDateTime to) {
        OffsetDateTime end = to == null ? OffsetDateTime.now() : to;
        OffsetDateTime start = from == null ? end.minusHours(1) : from;
        if (!start.isBefore(end)) {
            throw ApiException.badRequest("invalid_range", "from must be before to");
        }
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> find(pool, t.id, id))
                .flatMap(i -> pool.preparedQuery("SELECT minute, load1, mem_used, mem_total, disk_free_min,"
                                + " monitor_status FROM health_samples WHERE instance_id = $1 AND minute >= $2 AND"
                                + " minute <= $3 ORDER BY minute LIMIT 50000")
                        .execute(Tuple.of(id, start, end)))
                .map(rows -> {
                    List<HealthPoint> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new HealthPoint(
                                r.getOffsetDateTime("minute"),
                                r.getDouble("load1"),
                                r.getLong("mem_used"),
                                r.getLong("mem_total"),
                                r.getLong("disk_free_min"),
                                r.getString("monitor_status")));
                    }
                    return out;
                });
    }

    private static Uni<Void> revokeIn(SqlConnection conn, UUID tenantId, UUID id) {
        return conn.preparedQuery("UPDATE instances SET status = 'REVOKED', session_id = NULL, replica_id = NULL,"
                        + " status_changed_at = CASE WHEN status = 'REVOKED' THEN status_changed_at ELSE now() END"
                        + " WHERE tenant_id = $1 AND id = $2 RETURNING id")
                .execute(Tuple.of(tenantId, id))
                .flatMap(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("instance");
                    }
                    return conn.preparedQuery("UPDATE certificates SET revoked_at = now() WHERE instance_id = $1 AND"
                                    + " revoked_at IS NULL")
                            .execute(Tuple.of(id))
                            .replaceWithVoid();
                });
    }

    static Uni<InstanceView> find(Pool pool, UUID tenantId, UUID id) {
        return pool.preparedQuery("SELECT " + InstanceView.COLUMNS + " FROM instances WHERE tenant_id = $1 AND id = $2")
                .execute(Tuple.of(tenantId, id))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("instance");
                    }
                    return InstanceView.of(rows.iterator().next());
                });
    }
}
