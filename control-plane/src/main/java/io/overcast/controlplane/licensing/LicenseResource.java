package io.overcast.controlplane.licensing;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Role;
import io.overcast.licensing.License;
import io.overcast.licensing.LicenseKind;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Plans, the issuer's public keys, and a tenant's licenses: list, read, download the signed file, issue (the
 * operator's path when billing is off, as in a private cloud), assign to an instance, release, transfer. Every
 * change is audited.
 */
@Path("/api/v1/tenants/{tenantId}/licenses")
public class LicenseResource {
    public record PlanView(
            String id,
            String name,
            String product,
            String edition,
            String kind,
            Integer durationDays,
            int seats,
            String stripePrice) {}

    public record KeyView(String keyId, String algorithm, String publicKey) {}

    public record LicenseView(
            UUID id,
            UUID tenantId,
            String planId,
            String product,
            String edition,
            String kind,
            String systemId,
            int seats,
            OffsetDateTime notBefore,
            OffsetDateTime expiresAt,
            OffsetDateTime maintenanceUntil,
            UUID instanceId,
            String status,
            String source,
            String keyId,
            OffsetDateTime createdAt,
            long seatsInUse,
            long daysThisMonth) {
        static final String COLUMNS = "id, tenant_id, plan_id, product, edition, kind, system_id, seats, not_before,"
                + " expires_at, maintenance_until, instance_id, status, source, key_id, created_at, (SELECT"
                + " count(DISTINCT x.instance_id) FROM leases x WHERE x.license_id = licenses.id AND x.released_at IS"
                + " NULL AND x.valid_until > now()) AS seats_in_use, (SELECT count(*) FROM usage_days u WHERE"
                + " u.license_id = licenses.id AND u.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS"
                + " days_this_month";

        static LicenseView of(Row r) {
            return new LicenseView(
                    r.getUUID("id"),
                    r.getUUID("tenant_id"),
                    r.getString("plan_id"),
                    r.getString("product"),
                    r.getString("edition"),
                    r.getString("kind"),
                    r.getString("system_id"),
                    r.getInteger("seats"),
                    r.getOffsetDateTime("not_before"),
                    r.getOffsetDateTime("expires_at"),
                    r.getOffsetDateTime("maintenance_until"),
                    r.getUUID("instance_id"),
                    r.getString("status"),
                    r.getString("source"),
                    r.getString("key_id"),
                    r.getOffsetDateTime("created_at"),
                    r.getLong("seats_in_use"),
                    r.getLong("days_this_month"));
        }
    }

    public record IssueLicense(String planId, String systemId, Integer seats) {}

    public record AssignLicense(UUID instanceId) {}

    public record TransferLicense(UUID tenantId) {}

    private final AccessControl access;
    private final Pool pool;
    private final AuditLog audit;
    private final LicensingKeys keys;
    private final LicenseIssuer issuer;

    LicenseResource(AccessControl access, Pool pool, AuditLog audit, LicensingKeys keys, LicenseIssuer issuer) {
        this.access = access;
        this.pool = pool;
        this.audit = audit;
        this.keys = keys;
        this.issuer = issuer;
    }

    @GET
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    @WithSession
    public Uni<List<LicenseView>> list(@PathParam("tenantId") UUID tenantId) {
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT " + LicenseView.COLUMNS
                                + " FROM licenses WHERE tenant_id = $1 ORDER BY created_at DESC")
                        .execute(Tuple.of(t.id)))
                .map(rows -> {
                    List<LicenseView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(LicenseView.of(r)));
                    return out;
                });
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    @WithSession
    public Uni<LicenseView> get(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.VIEWER).flatMap(t -> find(t.id, id)).map(LicenseView::of);
    }

    /** The signed license as a file, for a box that never talks to the cloud. */
    @GET
    @Path("/{id}/file")
    @Produces("application/jose")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    @WithSession
    public Uni<Response> file(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.VIEWER).flatMap(t -> find(t.id, id)).map(r -> Response.ok(
                        r.getString("document") + "\n")
                .header("Content-Disposition", "attachment; filename=\"overcast-license-" + id + ".jws\"")
                .build());
    }

    /** Issues a license from a plan (billing off: the operator's path; Stripe fulfilment builds the same way). */
    @POST
    @RolesAllowed({"OWNER", "ADMIN"})
    @WithSession
    public Uni<Response> issue(@PathParam("tenantId") UUID tenantId, IssueLicense body) {
        if (body == null || body.planId() == null || body.planId().isBlank()) {
            throw ApiException.badRequest("invalid_plan", "planId is required");
        }
        if (body.systemId() != null
                && (body.systemId().isBlank() || body.systemId().length() > 200)) {
            throw ApiException.badRequest("invalid_system_id", "systemId must be 1 to 200 characters");
        }
        return access.tenant(tenantId, Role.ADMIN)
                .flatMap(t -> pool.preparedQuery("SELECT id, product, edition, kind, duration_days, seats, limits,"
                                + " features FROM plans WHERE id = $1 AND active")
                        .execute(Tuple.of(body.planId()))
                        .map(rows -> {
                            if (rows.size() == 0) {
                                throw ApiException.badRequest("invalid_plan", "no active plan " + body.planId());
                            }
                            return build(t.orgId, t.id, rows.iterator().next(), body);
                        })
                        .flatMap(license -> pool.withTransaction(
                                        conn -> issuer.insert(conn, license, body.planId(), "ADMIN", null)
                                                .flatMap(x -> audit.record(
                                                        conn,
                                                        access.actor(),
                                                        t.id,
                                                        "license.issued",
                                                        "license",
                                                        license.id().toString(),
                                                        Map.of("plan", body.planId()))))
                                .flatMap(x -> find(t.id, license.id()))))
                .map(r -> Response.status(201).entity(LicenseView.of(r)).build());
    }

    @POST
    @Path("/{id}/assign")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR"})
    @WithSession
    public Uni<LicenseView> assign(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id, AssignLicense body) {
        if (body == null || body.instanceId() == null) {
            throw ApiException.badRequest("invalid_instance", "instanceId is required");
        }
        return access.tenant(tenantId, Role.OPERATOR).flatMap(t -> find(t.id, id)
                .flatMap(l -> pool.preparedQuery("SELECT system_id FROM instances WHERE id = $1 AND tenant_id = $2")
                        .execute(Tuple.of(body.instanceId(), t.id))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                throw ApiException.notFound("instance");
                            }
                            String system = rows.iterator().next().getString("system_id");
                            if (!"ACTIVE".equals(l.getString("status"))) {
                                throw ApiException.conflict("license_ended", "the license has ended");
                            }
                            if (l.getString("system_id") != null
                                    && !l.getString("system_id").equals(system)) {
                                throw ApiException.conflict(
                                        "wrong_system", "the license is node-locked to another system id");
                            }
                            return change(
                                    t.id,
                                    id,
                                    "instance_id = $3",
                                    body.instanceId(),
                                    "license.assigned",
                                    Map.of("instance", body.instanceId().toString()));
                        })));
    }

    @POST
    @Path("/{id}/release")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR"})
    @WithSession
    public Uni<LicenseView> release(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.OPERATOR).flatMap(t -> find(t.id, id)
                .flatMap(l -> change(t.id, id, "instance_id = $3", null, "license.released", null)));
    }

    /** Moves a license to another tenant of the same organization (it is re-signed for that tenant). */
    @POST
    @Path("/{id}/transfer")
    @RolesAllowed({"OWNER", "ADMIN"})
    @WithSession
    public Uni<LicenseView> transfer(
            @PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id, TransferLicense body) {
        if (body == null || body.tenantId() == null) {
            throw ApiException.badRequest("invalid_tenant", "tenantId is required");
        }
        return access.tenant(tenantId, Role.ADMIN).flatMap(from -> access.tenant(body.tenantId(), Role.ADMIN)
                .flatMap(to -> find(from.id, id).flatMap(l -> {
                    License signed = keys.verifier().license(l.getString("document"), null, Instant.now())
                                    instanceof io.overcast.licensing.Verification.Valid<License> v
                            ? v.claims()
                            : null;
                    if (signed == null) {
                        throw ApiException.conflict("license_ended", "only a valid license can be transferred");
                    }
                    License moved = new License(
                            signed.id(),
                            signed.organizationId(),
                            to.id,
                            signed.product(),
                            signed.edition(),
                            signed.kind(),
                            signed.systemId(),
                            signed.seats(),
                            signed.limits(),
                            signed.features(),
                            signed.notBefore(),
                            signed.expiresAt(),
                            signed.maintenanceUntil());
                    String document = keys.signer().sign(moved);
                    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE licenses SET tenant_id ="
                                            + " $3, instance_id = NULL, document = $4, key_id = $5 WHERE id ="
                                            + " $1 AND tenant_id = $2")
                                    .execute(Tuple.of(id, from.id, to.id, document, LicensingKeys.KEY_ID))
                                    .flatMap(x -> audit.record(
                                            conn,
                                            access.actor(),
                                            from.id,
                                            "license.transferred",
                                            "license",
                                            id.toString(),
                                            Map.of("to", to.id.toString()))))
                            .flatMap(x -> find(to.id, id))
                            .map(LicenseView::of);
                })));
    }

    private Uni<LicenseView> change(
            UUID tenantId, UUID id, String set, Object value, String action, Map<String, Object> details) {
        return pool.withTransaction(
                        conn -> conn.preparedQuery("UPDATE licenses SET " + set + " WHERE id = $1 AND tenant_id = $2")
                                .execute(Tuple.of(id, tenantId, value))
                                .flatMap(x -> audit.record(
                                        conn, access.actor(), tenantId, action, "license", id.toString(), details)))
                .flatMap(x -> find(tenantId, id))
                .map(LicenseView::of);
    }

    private Uni<Row> find(UUID tenantId, UUID id) {
        return pool.preparedQuery("SELECT " + LicenseView.COLUMNS + ", document FROM licenses WHERE id = $1 AND"
                        + " tenant_id = $2")
                .execute(Tuple.of(id, tenantId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiException.notFound("license");
                    }
                    return rows.iterator().next();
                });
    }

    /**
     * A license from a plan, dated from now: a PERMANENT one is perpetual with maintenance for the plan's duration
     * and needs a system id, the others end after the plan's duration (DAILY plans have none: they end when their
     * subscription does). Seats default to the plan's.
     */
    public static License build(UUID org, UUID tenant, Row plan, IssueLicense body) {
        LicenseKind kind = LicenseKind.valueOf(plan.getString("kind"));
        Integer days = plan.getInteger("duration_days");
        Instant now = Instant.now();
        int seats = body.seats() == null ? plan.getInteger("seats") : body.seats();
        if (seats < 1 || seats > 100_000) {
            throw ApiException.badRequest("invalid_seats", "seats must be from 1 to 100000");
        }
        if (kind == LicenseKind.PERMANENT && body.systemId() == null) {
            throw ApiException.badRequest("invalid_system_id", "a permanent license is node-locked: give a systemId");
        }
        Instant end = days == null ? null : now.plus(Duration.ofDays(days));
        return new License(
                UUID.randomUUID(),
                org,
                tenant,
                plan.getString("product"),
                plan.getString("edition"),
                kind,
                body.systemId(),
                seats,
                null,
                null,
                now,
                kind == LicenseKind.PERMANENT ? null : end,
                kind == LicenseKind.PERMANENT ? end : null);
    }
}
