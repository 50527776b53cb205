package io.overcast.controlplane.licensing;

import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.licensing.Lease;
import io.overcast.licensing.UsageDay;
import io.overcast.protocol.Limits;
import io.overcast.protocol.Payloads;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Answers an edge's lease request, in one transaction per request:
 *
 * <ul>
 *   <li>a PERMANENT or SUBSCRIPTION license assigned to the instance is answered with its signed document (a
 *       PERMANENT one only on the system it is locked to);
 *   <li>a DAILY license of the tenant (or assigned to this instance) gets a lease to the next UTC midnight plus an
 *       overlap; the UTC day it consumes becomes a usage record in the same transaction, and, for a license sold
 *       through Stripe, a meter event in the outbox — so a lease and its bill cannot drift apart;
 *   <li>a POOLED license lends a seat: the license row is locked while the seats held by other instances are
 *       counted, so when many instances race for the last seats exactly the available ones are granted.
 * </ul>
 *
 * Products the edge no longer asks for give their leases (and seats) back.
 */
@ApplicationScoped
public class LeaseService {
    static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,32}");

    private final Pool pool;
    private final LicensingKeys keys;
    private final OvercastConfig config;
    private final Clock clock;
    private final AsyncLimiter limiter;

    LeaseService(Pool pool, LicensingKeys keys, OvercastConfig config) {
        this.pool = pool;
        this.keys = keys;
        this.config = config;
        this.clock = Clock.systemUTC();
        this.limiter = new AsyncLimiter(config.licensing().leaseConcurrency());
    }

    /** Checks a request's shape; a bad one is refused as a bad frame (nothing is written). */
    public static List<Payloads.Want> validate(Payloads.LeaseRequest request) {
        if (request == null || request.wants() == null) {
            throw new IllegalArgumentException("wants is required");
        }
        if (request.wants().size() > Limits.MAX_WANTS) {
            throw new IllegalArgumentException("at most " + Limits.MAX_WANTS + " products per request");
        }
        List<Payloads.Want> out = new ArrayList<>();
        for (Payloads.Want w : request.wants()) {
            if (w == null
                    || w.product() == null
                    || w.edition() == null
                    || !NAME.matcher(w.product()).matches()
                    || !NAME.matcher(w.edition()).matches()) {
                throw new IllegalArgumentException("each want needs a product and an edition ([a-z0-9_]{1,32})");
            }
            if (!out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    public Uni<Payloads.Leases> grant(UUID instanceId, UUID tenantId, List<Payloads.Want> wants) {
        return limiter.run(() -> grantNow(instanceId, tenantId, wants));
    }

    private Uni<Payloads.Leases> grantNow(UUID instanceId, UUID tenantId, List<Payloads.Want> wants) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "SELECT system_id, status FROM instances WHERE id = $1 AND tenant_id = $2 FOR SHARE")
                        .execute(Tuple.of(instanceId, tenantId))
                        .flatMap(rows -> {
                            if (rows.size() == 0
                                    || "REVOKED".equals(rows.iterator().next().getString("status"))) {
                                return Uni.createFrom().item(List.<Payloads.Grant>of());
                            }
                            String system = rows.iterator().next().getString("system_id");
                            return releaseUnwanted(conn, instanceId, wants, now).flatMap(x -> Multi.createFrom()
                                    .iterable(wants)
                                    .onItem()
                                    .transformToUniAndConcatenate(
                                            w -> grantOne(conn, instanceId, tenantId, system, w, now))
                                    .collect()
                                    .asList());
                        }))
                .map(grants -> new Payloads.Leases(now.toString(), keys.publicKeys(), grants));
    }

    private Uni<Void> releaseUnwanted(SqlConnection conn, UUID instanceId, List<Payloads.Want> wants, Instant now) {
        return conn.preparedQuery("UPDATE leases SET released_at = $2 WHERE instance_id = $1 AND released_at IS NULL"
                        + " AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS w(p, e) WHERE w.p ="
                        + " leases.product AND w.e = leases.edition)")
                .execute(Tuple.of(
                        instanceId,
                        utc(now),
                        wants.stream().map(Payloads.Want::product).toArray(String[]::new),
                        wants.stream().map(Payloads.Want::edition).toArray(String[]::new)))
                .replaceWithVoid();
    }

    private Uni<Payloads.Grant> grantOne(
            SqlConnection conn, UUID instanceId, UUID tenantId, String system, Payloads.Want w, Instant now) {
        return conn.preparedQuery("SELECT l.id, l.kind, l.system_id, l.seats, l.expires_at, l.source, l.document,"
                        + " l.org_id, p.stripe_meter FROM licenses l LEFT JOIN plans p ON p.id = l.plan_id WHERE"
                        + " l.tenant_id = $1 AND l.status = 'ACTIVE' AND l.product = $3 AND l.edition = $4 AND"
                        + " l.not_before <= $5 AND (l.expires_at IS NULL OR l.expires_at > $5) AND ((l.kind IN"
                        + " ('PERMANENT', 'SUBSCRIPTION') AND l.instance_id = $2) OR (l.kind IN ('DAILY', 'POOLED')"
                        + " AND (l.instance_id IS NULL OR l.instance_id = $2))) ORDER BY CASE l.kind WHEN"
                        + " 'PERMANENT' THEN 0 WHEN 'SUBSCRIPTION' THEN 1 WHEN 'DAILY' THEN 2 ELSE 3 END, EXISTS"
                        + " (SELECT 1 FROM leases x WHERE x.license_id = l.id AND x.instance_id = $2 AND"
                        + " x.released_at IS NULL AND x.valid_until > $5) DESC, l.created_at")
                .execute(Tuple.of(tenantId, instanceId, w.product(), w.edition(), utc(now)))
                .flatMap(rows -> {
                    List<Row> candidates = new ArrayList<>();
                    rows.forEach(candidates::add);
                    return first(conn, candidates, 0, instanceId, system, w, now, null);
                });
    }

    /** Tries the candidates in order; the first that grants wins, else the most telling problem. */
    private Uni<Payloads.Grant> first(
            SqlConnection conn,
            List<Row> candidates,
            int i,
            UUID instanceId,
            String system,
            Payloads.Want w,
            Instant now,
            Payloads.Error problem) {
        if (i == candidates.size()) {
            return Uni.createFrom()
                    .item(new Payloads.Grant(
                            w.product(),
                            w.edition(),
                            null,
                            null,
                            null,
                            null,
                            problem != null
                                    ? problem
                                    : new Payloads.Error(
                                            "not_licensed",
                                            "no active license for " + w.product() + " " + w.edition())));
        }
        Row l = candidates.get(i);
        String kind = l.getString("kind");
        UUID licenseId = l.getUUID("id");
        switch (kind) {
            case "PERMANENT", "SUBSCRIPTION" -> {
                String locked = l.getString("system_id");
                if (locked != null && !locked.equals(system)) {
                    return first(
                            conn,
                            candidates,
                            i + 1,
                            instanceId,
                            system,
                            w,
                            now,
                            new Payloads.Error("wrong_system", "the license is node-locked to another system id"));
                }
                Instant end = instant(l.getOffsetDateTime("expires_at"));
                Instant renew = now.plus(Duration.ofHours(6));
                return Uni.createFrom()
                        .item(new Payloads.Grant(
                                w.product(),
                                w.edition(),
                                kind,
                                licenseId.toString(),
                                l.getString("document"),
                                (end != null && end.isBefore(renew) ? end : renew).toString(),
                                null));
            }
            case "DAILY" -> {
                return daily(conn, l, instanceId, w, now);
            }
            default -> {
                return conn.preparedQuery("SELECT seats FROM licenses WHERE id = $1 FOR UPDATE")
                        .execute(Tuple.of(licenseId))
                        .flatMap(x -> conn.preparedQuery("SELECT count(DISTINCT instance_id) AS held FROM leases WHERE"
                                        + " license_id = $1 AND released_at IS NULL AND valid_until > $2 AND"
                                        + " instance_id <> $3")
                                .execute(Tuple.of(licenseId, utc(now), instanceId)))
                        .flatMap(rows -> {
                            long held = rows.iterator().next().getLong("held");
                            if (held >= l.getInteger("seats")) {
                                return first(
                                        conn,
                                        candidates,
                                        i + 1,
                                        instanceId,
                                        system,
                                        w,
                                        now,
                                        new Payloads.Error(
                                                "no_seats",
                                                "all " + l.getInteger("seats") + " seats of the pool are in use"));
                            }
                            Duration ttl = config.licensing().poolLeaseTtl();
                            Instant until = cap(now.plus(ttl), l);
                            return lease(conn, l, instanceId, w, now, until, now.plus(ttl.dividedBy(2)))
                                    .map(Issued::grant);
                        });
            }
        }
    }

    private Uni<Payloads.Grant> daily(SqlConnection conn, Row l, UUID instanceId, Payloads.Want w, Instant now) {
        Instant midnight = now.atOffset(ZoneOffset.UTC)
                .toLocalDate()
                .plusDays(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        Instant until = cap(midnight.plus(config.licensing().dailyOverlap()), l);
        long spread = Math.max(1, config.licensing().midnightSpread().toMillis());
        Instant renew = midnight.plusMillis(ThreadLocalRandom.current().nextLong(spread));
        UsageDay day = new UsageDay(
                l.getUUID("id"),
                instanceId,
                w.product(),
                w.edition(),
                now.atOffset(ZoneOffset.UTC).toLocalDate());
        return lease(conn, l, instanceId, w, now, until, renew.isAfter(until) ? until : renew)
                .call(issued -> conn.preparedQuery("INSERT INTO usage_days (license_id, instance_id, product, edition,"
                                + " day, org_id, tenant_id, lease_id, identifier) SELECT $1, $2, $3, $4, $5, org_id,"
                                + " tenant_id, $6, $7 FROM licenses WHERE id = $1 ON CONFLICT DO NOTHING RETURNING"
                                + " identifier")
                        .execute(Tuple.from(List.of(
                                day.licenseId(),
                                day.instanceId(),
                                day.product(),
                                day.edition(),
                                day.day(),
                                issued.leaseId(),
                                day.identifier())))
                        .flatMap(rows -> {
                            String meter = l.getString("stripe_meter");
                            if (rows.size() == 0 || meter == null || !"STRIPE".equals(l.getString("source"))) {
                                return Uni.createFrom().voidItem();
                            }
                            // The event is stamped inside its day, so Stripe bills it to that day's period.
                            return conn.preparedQuery("INSERT INTO meter_outbox (identifier, org_id, event_name,"
                                            + " occurred_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                                    .execute(Tuple.of(day.identifier(), l.getUUID("org_id"), meter, utc(now)))
                                    .replaceWithVoid();
                        }))
                .map(Issued::grant);
    }

    private record Issued(Payloads.Grant grant, UUID leaseId) {}

    /** Releases this instance's previous lease of the license and writes the new one. */
    private Uni<Issued> lease(
            SqlConnection conn, Row l, UUID instanceId, Payloads.Want w, Instant now, Instant until, Instant renew) {
        UUID licenseId = l.getUUID("id");
        Lease lease = new Lease(UUID.randomUUID(), licenseId, instanceId, w.product(), w.edition(), now, until);
        String document = keys.signer().sign(lease);
        return conn.preparedQuery("UPDATE leases SET released_at = $3 WHERE license_id = $1 AND instance_id = $2 AND"
                        + " released_at IS NULL")
                .execute(Tuple.of(licenseId, instanceId, utc(now)))
                .flatMap(x -> conn.preparedQuery("INSERT INTO leases (id, license_id, instance_id, product, edition,"
                                + " issued_at, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .execute(Tuple.from(List.of(
                                lease.id(), licenseId, instanceId, w.product(), w.edition(), utc(now), utc(until)))))
                .map(x -> new Issued(
                        new Payloads.Grant(
                                w.product(),
                                w.edition(),
                                l.getString("kind"),
                                licenseId.toString(),
                                document,
                                renew.toString(),
                                null),
                        lease.id()));
    }

    private static Instant cap(Instant until, Row license) {
        Instant end = instant(license.getOffsetDateTime("expires_at"));
        return end != null && end.isBefore(until) ? end : until;
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
