package io.overcast.controlplane.enrollment;

import io.micrometer.core.instrument.MeterRegistry;
import io.overcast.controlplane.audit.Actor;
import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.cluster.ClusterBus;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.pki.CsrValidator;
import io.overcast.controlplane.pki.Pem;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.protocol.Enrollment;
import io.overcast.protocol.EnrollmentTokenFormat;
import io.overcast.protocol.Facts;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Turns a token and a CSR into an instance and its certificate, in one transaction: the token use, the instance,
 * the certificate record and the audit event commit together or not at all. Two enrolments racing for a token's
 * last use are serialised by the conditional update of the token row: exactly one wins.
 */
@ApplicationScoped
public class EnrollmentService {
    private static final Logger LOG = Logger.getLogger(EnrollmentService.class);
    public static final Set<String> PRODUCTS = Set.of("ntopng", "nprobe", "ntap", "agent");

    private final Pool pool;
    private final PkiService pki;
    private final AuditLog audit;
    private final ClusterBus bus;
    private final OvercastConfig config;
    private final MeterRegistry metrics;

    EnrollmentService(
            Pool pool, PkiService pki, AuditLog audit, ClusterBus bus, OvercastConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.pki = pki;
        this.audit = audit;
        this.bus = bus;
        this.config = config;
        this.metrics = metrics;
    }

    /** A token that may be spent, and the instance already enrolled with the same system id, if any. */
    private record Claimed(UUID tokenId, UUID tenantId, UUID orgId, List<String> tags, UUID existing) {}

    public Uni<Enrollment.Response> enroll(Enrollment.Request req, String sourceIp, List<String> sessionUrls) {
        if (req == null) {
            throw ApiException.badRequest("request_malformed", "a body is required");
        }
        EnrollmentTokenFormat token = EnrollmentTokenFormat.parse(req.token())
                .orElseThrow(() -> ApiException.unauthorized("token_malformed", "the enrolment token is malformed"));
        PublicKey key = CsrValidator.validate(req.csr());
        Facts facts = validFacts(req.facts());
        String name = req.name() == null || req.name().isBlank()
                ? facts.hostname()
                : io.overcast.controlplane.tenancy.Names.required("name", req.name());
        byte[] hash = EnrollmentTokenFormat.sha256(token.secret().getBytes());
        // The token row is locked only by the last statement (spend), so that enrolments sharing one token
        // serialise on that row for the commit alone, not for the whole transaction.
        return pool.withTransaction(conn -> check(conn, token, hash, facts.systemId())
                        .flatMap(claimed -> claimed.existing() == null
                                ? enrolNew(conn, claimed, key, facts, name, sourceIp, token, hash)
                                : takeOver(conn, claimed, facts, name, req.replace(), sourceIp)
                                        .flatMap(id -> issue(conn, claimed, id, key, facts, sourceIp, token))
                                        .flatMap(issued ->
                                                spend(conn, token, hash).replaceWith(issued))))
                .onFailure(e -> e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState()))
                .transform(e -> ApiException.conflict(
                        "instance_already_enrolled", "an instance with this system id is being enrolled"))
                .invoke(r -> {
                    metrics.counter("overcast.enrollments", "result", "ok").increment();
                    LOG.infof(
                            "instance %s enrolled in tenant %s with token %s",
                            r.instanceId(), r.tenantId(), token.masked());
                })
                .onFailure(ApiException.class)
                .invoke(e -> metrics.counter("overcast.enrollments", "result", ((ApiException) e).code())
                        .increment())
                .map(r -> new Enrollment.Response(
                        r.instanceId(), r.tenantId(), r.certificate(), r.caChain(), sessionUrls, (int)
                                config.edge().heartbeatInterval().toSeconds()));
    }

    /** Reads the token (without locking it) and any instance with the same system id; a refusal says why. */
    private Uni<Claimed> check(SqlConnection conn, EnrollmentTokenFormat token, byte[] hash, String systemId) {
        return conn.preparedQuery(
                        "SELECT t.id, t.tenant_id, t.tags, tn.org_id, i.id AS existing FROM enrollment_tokens t"
                                + " JOIN tenants tn ON tn.id = t.tenant_id LEFT JOIN instances i ON i.tenant_id = t.tenant_id"
                                + " AND i.system_id = $3 WHERE t.prefix = $1 AND t.secret_hash = $2 AND t.revoked_at IS NULL"
                                + " AND t.expires_at > now() AND t.uses < t.max_uses")
                .execute(Tuple.of(token.prefix(), io.vertx.core.buffer.Buffer.buffer(hash), systemId))
                .flatMap(rows -> {
                    if (rows.iterator().hasNext()) {
                        Row r = rows.iterator().next();
                        JsonArray tags = (JsonArray) r.getValue("tags");
                        return Uni.createFrom()
                                .item(new Claimed(
                                        r.getUUID("id"),
                                        r.getUUID("tenant_id"),
                                        r.getUUID("org_id"),
                                        tags.stream().map(String::valueOf).toList(),
                                        r.getUUID("existing")));
                    }
                    return whyRefused(conn, token, hash);
                });
    }

    /**
     * A new instance in one statement: the instance, its certificate, the audit event, and last the token's use.
     * The token row is locked from that update to the commit only, so enrolments sharing a token overlap for
     * everything else; of two racing for the last use, the second updates nothing and rolls back.
     */
    private Uni<Issued> enrolNew(
            SqlConnection conn,
            Claimed c,
            PublicKey key,
            Facts facts,
            String name,
            String ip,
            EnrollmentTokenFormat token,
            byte[] hash) {
        UUID id = UUID.randomUUID();
        X509Certificate cert = pki.issueInstance(key, c.tenantId(), id);
        var notAfter = cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC);
        Object[] args = {
            id,
            c.tenantId(),
            name,
            facts.product(),
            facts.version(),
            facts.hostname(),
            facts.systemId(),
            new JsonArray(c.tags()),
            notAfter,
            cert.getSerialNumber().toString(16),
            cert.getNotBefore().toInstant().atOffset(ZoneOffset.UTC),
            c.orgId(),
            "enrollment_token:" + c.tokenId(),
            new io.vertx.core.json.JsonObject(details(facts, c)),
            ip,
            c.tokenId()
        };
        return conn.preparedQuery(
                        "WITH inst AS (INSERT INTO instances (id, tenant_id, name, product, version, hostname,"
                                + " system_id, tags, status, cert_not_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING',"
                                + " $9) RETURNING id), cert AS (INSERT INTO certificates (serial, instance_id, not_before,"
                                + " not_after) SELECT $10, id, $11, $9 FROM inst RETURNING 1), audit AS (INSERT INTO"
                                + " audit_events (org_id, tenant_id, actor, action, target_type, target_id, details, source_ip)"
                                + " SELECT $12, $2, $13, 'instance.enrolled', 'instance', id::text, $14, $15 FROM inst"
                                + " RETURNING 1), spent AS (UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = $16 AND"
                                + " revoked_at IS NULL AND expires_at > now() AND uses < max_uses RETURNING id)"
                                + " SELECT count(*) AS spent FROM spent")
                .execute(Tuple.from(args))
                .flatMap(rows -> rows.iterator().next().getLong("spent") == 1
                        ? Uni.createFrom()
                                .item(new Issued(
                                        id.toString(),
                                        c.tenantId().toString(),
                                        Pem.write(cert),
                                        pki.ca().certificatePem()))
                        : whyRefused(conn, token, hash).replaceWith((Issued) null));
    }

    /** Spends one use, atomically: of two enrolments racing for the last use, the second finds none left. */
    private Uni<Void> spend(SqlConnection conn, EnrollmentTokenFormat token, byte[] hash) {
        return conn.preparedQuery("UPDATE enrollment_tokens SET uses = uses + 1 WHERE prefix = $1 AND secret_hash = $2"
                        + " AND revoked_at IS NULL AND expires_at > now() AND uses < max_uses RETURNING id")
                .execute(Tuple.of(token.prefix(), io.vertx.core.buffer.Buffer.buffer(hash)))
                .flatMap(rows -> rows.iterator().hasNext()
                        ? Uni.createFrom().voidItem()
                        : whyRefused(conn, token, hash).replaceWithVoid());
    }

    /** Tells apart why a token was refused; every case is a 401 and changes nothing. */
    private Uni<Claimed> whyRefused(SqlConnection conn, EnrollmentTokenFormat token, byte[] hash) {
        return conn.preparedQuery("SELECT secret_hash = $2 AS match, revoked_at IS NOT NULL AS revoked,"
                        + " expires_at <= now() AS expired, uses >= max_uses AS used_up FROM enrollment_tokens"
                        + " WHERE prefix = $1")
                .execute(Tuple.of(token.prefix(), io.vertx.core.buffer.Buffer.buffer(hash)))
                .map(rows -> {
                    if (!rows.iterator().hasNext() || !rows.iterator().next().getBoolean("match")) {
                        throw ApiException.unauthorized("token_invalid", "the enrolment token is not valid");
                    }
                    Row r = rows.iterator().next();
                    if (r.getBoolean("revoked")) {
                        throw ApiException.unauthorized("token_revoked", "the enrolment token was revoked");
                    }
                    if (r.getBoolean("expired")) {
                        throw ApiException.unauthorized("token_expired", "the enrolment token has expired");
                    }
                    throw ApiException.unauthorized("token_used_up", "the enrolment token has no uses left");
                });
    }

    private Uni<UUID> takeOver(SqlConnection conn, Claimed c, Facts facts, String name, boolean replace, String ip) {
        return conn.preparedQuery("SELECT id, status FROM instances WHERE tenant_id = $1 AND system_id = $2 FOR UPDATE")
                .execute(Tuple.of(c.tenantId(), facts.systemId()))
                .flatMap(rows -> {
                    Actor actor = new Actor(null, "enrollment_token:" + c.tokenId(), c.orgId(), ip);
                    if (rows.iterator().hasNext()) {
                        UUID existing = rows.iterator().next().getUUID("id");
                        if ("REVOKED".equals(rows.iterator().next().getString("status"))) {
                            throw ApiException.conflict(
                                    "instance_revoked",
                                    "this system id belongs to a revoked instance; decommission it before enrolling again");
                        }
                        if (!replace) {
                            throw ApiException.conflict(
                                    "instance_already_enrolled",
                                    "an instance with this system id is enrolled; enrol with replace to take it over");
                        }
                        return conn.preparedQuery("UPDATE certificates SET revoked_at = now() WHERE instance_id = $1"
                                        + " AND revoked_at IS NULL")
                                .execute(Tuple.of(existing))
                                .flatMap(x -> conn.preparedQuery("UPDATE instances SET name = $2, product = $3,"
                                                + " version = $4, hostname = $5, status = 'PENDING', session_id = NULL,"
                                                + " replica_id = NULL, status_changed_at = now() WHERE id = $1")
                                        .execute(Tuple.of(
                                                existing, name, facts.product(), facts.version(), facts.hostname())))
                                .flatMap(x -> audit.record(
                                        conn,
                                        actor,
                                        c.tenantId(),
                                        "instance.replaced",
                                        "instance",
                                        existing.toString(),
                                        Map.of("systemId", facts.systemId())))
                                .flatMap(x -> bus.publish(conn, ClusterBus.closeSession(existing)))
                                .replaceWith(existing);
                    }
                    throw ApiException.conflict("instance_changed", "the instance changed during the enrolment; retry");
                });
    }

    private static Map<String, Object> details(Facts f, Claimed c) {
        Map<String, Object> m = new HashMap<>();
        m.put("systemId", f.systemId());
        m.put("product", f.product());
        m.put("hostname", f.hostname());
        m.put("tokenId", c.tokenId().toString());
        return m;
    }

    private record Issued(String instanceId, String tenantId, String certificate, String caChain) {}

    private Uni<Issued> issue(
            SqlConnection conn,
            Claimed c,
            UUID instanceId,
            PublicKey key,
            Facts facts,
            String ip,
            EnrollmentTokenFormat token) {
        X509Certificate cert = pki.issueInstance(key, c.tenantId(), instanceId);
        return conn.preparedQuery(
                        "INSERT INTO certificates (serial, instance_id, not_before, not_after) VALUES ($1, $2,"
                                + " $3, $4)")
                .execute(Tuple.of(
                        cert.getSerialNumber().toString(16),
                        instanceId,
                        cert.getNotBefore().toInstant().atOffset(ZoneOffset.UTC),
                        cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC)))
                .flatMap(x -> conn.preparedQuery("UPDATE instances SET cert_not_after = $2 WHERE id = $1")
                        .execute(Tuple.of(
                                instanceId, cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC))))
                .map(x -> new Issued(
                        instanceId.toString(),
                        c.tenantId().toString(),
                        Pem.write(cert),
                        pki.ca().certificatePem()));
    }

    static Facts validFacts(Facts f) {
        if (f == null) {
            throw ApiException.badRequest("invalid_facts", "facts are required");
        }
        if (f.product() == null || !PRODUCTS.contains(f.product())) {
            throw ApiException.badRequest("invalid_facts", "facts.product must be one of " + PRODUCTS);
        }
        if (f.systemId() == null || !f.systemId().matches("[A-Za-z0-9._:-]{1,128}")) {
            throw ApiException.badRequest("invalid_facts", "facts.systemId must be 1 to 128 letters, digits, . _ : -");
        }
        if (f.hostname() == null || f.hostname().isBlank() || f.hostname().length() > 253) {
            throw ApiException.badRequest("invalid_facts", "facts.hostname is required (at most 253 characters)");
        }
        if (f.version() != null && f.version().length() > 64) {
            throw ApiException.badRequest("invalid_facts", "facts.version must be at most 64 characters");
        }
        return f;
    }
}
