package io.overcast.controlplane.enrollment;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.fleet.Tags;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.controlplane.tenancy.Names;
import io.overcast.controlplane.tenancy.Role;
import io.overcast.protocol.EnrollmentTokenFormat;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Path("/api/v1/tenants/{tenantId}/enrollment-tokens")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class EnrollmentTokenResource {
    static final long MAX_LIFETIME_SECONDS = 30L * 24 * 3600;
    static final int MAX_USES = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    public record CreateToken(String name, Long expiresInSeconds, Integer maxUses, List<String> tags) {}

    /** The only response that ever holds the token string. */
    public record CreatedToken(UUID id, String token, String prefix, OffsetDateTime expiresAt, int maxUses) {}

    public record TokenView(
            UUID id,
            String name,
            String prefix,
            OffsetDateTime expiresAt,
            int maxUses,
            int uses,
            List<String> tags,
            String state,
            OffsetDateTime createdAt,
            OffsetDateTime revokedAt) {
        static final String COLUMNS = "id, name, prefix, expires_at, max_uses, uses, tags, created_at, revoked_at,"
                + " CASE WHEN revoked_at IS NOT NULL THEN 'REVOKED' WHEN uses >= max_uses THEN 'USED_UP'"
                + " WHEN expires_at <= now() THEN 'EXPIRED' ELSE 'ACTIVE' END AS state";

        static TokenView of(Row r) {
            JsonArray tags = (JsonArray) r.getValue("tags");
            return new TokenView(
                    r.getUUID("id"),
                    r.getString("name"),
                    r.getString("prefix"),
                    r.getOffsetDateTime("expires_at"),
                    r.getInteger("max_uses"),
                    r.getInteger("uses"),
                    tags.stream().map(String::valueOf).toList(),
                    r.getString("state"),
                    r.getOffsetDateTime("created_at"),
                    r.getOffsetDateTime("revoked_at"));
        }
    }

    private final AccessControl access;
    private final AuditLog audit;
    private final PkiService pki;
    private final Pool pool;

    EnrollmentTokenResource(AccessControl access, AuditLog audit, PkiService pki, Pool pool) {
        this.access = access;
        this.audit = audit;
        this.pki = pki;
        this.pool = pool;
    }

    @POST
    @WithSession
    public Uni<Response> create(@PathParam("tenantId") UUID tenantId, CreateToken body) {
        return access.tenant(tenantId, Role.OPERATOR).flatMap(tenant -> {
            if (body == null) {
                throw ApiException.badRequest("request_malformed", "a body is required");
            }
            String name = Names.required("name", body.name());
            long life = body.expiresInSeconds() == null ? 24 * 3600 : body.expiresInSeconds();
            if (life < 60 || life > MAX_LIFETIME_SECONDS) {
                throw ApiException.badRequest(
                        "invalid_expiry", "expiresInSeconds must be between 60 and " + MAX_LIFETIME_SECONDS);
            }
            int maxUses = body.maxUses() == null ? 1 : body.maxUses();
            if (maxUses < 1 || maxUses > MAX_USES) {
                throw ApiException.badRequest("invalid_max_uses", "maxUses must be between 1 and " + MAX_USES);
            }
            List<String> tags = Tags.validate(body.tags());
            byte[] secretBytes = new byte[32];
            RANDOM.nextBytes(secretBytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            var format = new EnrollmentTokenFormat(newPrefix(), secret, pki.ca().fingerprint());
            UUID id = UUID.randomUUID();
            OffsetDateTime expiresAt = OffsetDateTime.now().plusSeconds(life);
            return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO enrollment_tokens (id, tenant_id, name,"
                                    + " prefix, secret_hash, expires_at, max_uses, tags, created_by) VALUES ($1, $2, $3,"
                                    + " $4, $5, $6, $7, $8, $9)")
                            .execute(Tuple.from(new Object[] {
                                id,
                                tenant.id,
                                name,
                                format.prefix(),
                                Buffer.buffer(EnrollmentTokenFormat.sha256(secret.getBytes())),
                                expiresAt,
                                maxUses,
                                new JsonArray(tags),
                                access.caller().userId()
                            }))
                            .flatMap(x -> audit.record(
                                    conn,
                                    access.actor(),
                                    tenant.id,
                                    "enrollment_token.created",
                                    "enrollment_token",
                                    id.toString(),
                                    Map.of("name", name, "token", format.masked(), "maxUses", maxUses))))
                    .map(x -> Response.status(201)
                            .entity(new CreatedToken(id, format.render(), format.prefix(), expiresAt, maxUses))
                            .build());
        });
    }

    @GET
    @WithSession
    public Uni<List<TokenView>> list(@PathParam("tenantId") UUID tenantId) {
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT " + TokenView.COLUMNS + " FROM enrollment_tokens WHERE"
                                + " tenant_id = $1 ORDER BY created_at DESC")
                        .execute(Tuple.of(t.id)))
                .map(rows -> {
                    List<TokenView> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(TokenView.of(r)));
                    return out;
                });
    }

    @DELETE
    @Path("/{id}")
    @WithSession
    public Uni<TokenView> revoke(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.OPERATOR)
                .flatMap(
                        t -> pool.withTransaction(conn -> conn.preparedQuery("UPDATE enrollment_tokens SET revoked_at ="
                                        + " coalesce(revoked_at, now()) WHERE tenant_id = $1 AND id = $2 RETURNING "
                                        + TokenView.COLUMNS)
                                .execute(Tuple.of(t.id, id))
                                .flatMap(rows -> {
                                    if (!rows.iterator().hasNext()) {
                                        throw ApiException.notFound("enrollment token");
                                    }
                                    TokenView v = TokenView.of(rows.iterator().next());
                                    return audit.record(
                                                    conn,
                                                    access.actor(),
                                                    t.id,
                                                    "enrollment_token.revoked",
                                                    "enrollment_token",
                                                    id.toString(),
                                                    Map.of("prefix", v.prefix()))
                                            .replaceWith(v);
                                })));
    }

    private static String newPrefix() {
        char[] c = new char[12];
        for (int i = 0; i < c.length; i++) {
            c[i] = BASE32[RANDOM.nextInt(BASE32.length)];
        }
        return new String(c);
    }
}
