package io.overcast.controlplane.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.overcast.controlplane.audit.Actor;
import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.licensing.LicenseIssuer;
import io.overcast.licensing.License;
import io.overcast.licensing.LicenseKind;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a Stripe event does to purchases and licenses, on the webhook's transaction. Each step is idempotent and
 * the order of events does not matter:
 *
 * <ul>
 *   <li>fulfilment moves a purchase OPEN/AWAITING_PAYMENT → FULFILLED once (a conditional update), and issues its
 *       licenses in the same transaction;
 *   <li>an ending (refund, failed payment, cancelled subscription) ends the purchase's licenses and releases their
 *       leases; one that arrives before the purchase is known by that Stripe id is remembered in
 *       {@code billing_endings}, and fulfilment that comes later finds it and issues nothing.
 * </ul>
 */
@ApplicationScoped
public class Fulfilment {
    static final String PURCHASE_COLUMNS = "p.id, p.org_id, p.tenant_id, p.plan_id, p.quantity, p.system_id,"
            + " p.status, p.subscription, p.payment_intent, p.checkout_session";

    private final LicenseIssuer issuer;
    private final AuditLog audit;
    private final io.overcast.controlplane.licensing.LicensingKeys keys;

    Fulfilment(LicenseIssuer issuer, AuditLog audit, io.overcast.controlplane.licensing.LicensingKeys keys) {
        this.issuer = issuer;
        this.audit = audit;
        this.keys = keys;
    }

    /**
     * A paid subscription invoice moves the end of the purchase's licenses to the end of the period paid for
     * (never earlier: an old invoice delivered late changes nothing), re-signing each document. An invoice for a
     * purchase not fulfilled yet changes nothing either: fulfilment dates the licenses itself.
     */
    private Uni<String> renew(SqlConnection conn, JsonNode invoice, String ip) {
        String subscription = text(invoice, "subscription");
        if (subscription == null) {
            subscription = text(invoice.path("parent").path("subscription_details"), "subscription");
        }
        long periodEnd = 0;
        for (JsonNode line : invoice.path("lines").path("data")) {
            periodEnd = Math.max(periodEnd, line.path("period").path("end").asLong(0));
        }
        if (subscription == null || periodEnd == 0) {
            return Uni.createFrom().item("ignored");
        }
        Instant end = Instant.ofEpochSecond(periodEnd);
        return conn.preparedQuery("SELECT l.id, l.document, l.tenant_id, l.org_id, p.id AS purchase FROM licenses l"
                        + " JOIN purchases p ON p.id = l.purchase_id WHERE p.subscription = $1 AND p.status ="
                        + " 'FULFILLED' AND l.status = 'ACTIVE' AND l.kind IN ('SUBSCRIPTION', 'POOLED') AND"
                        + " l.expires_at < $2 FOR UPDATE OF l")
                .execute(Tuple.of(subscription, end.atOffset(java.time.ZoneOffset.UTC)))
                .flatMap(rows -> {
                    List<Row> due = new ArrayList<>();
                    rows.forEach(due::add);
                    return Multi.createFrom()
                            .iterable(due)
                            .onItem()
                            .transformToUniAndConcatenate(r -> {
                                var v = keys.verifier().license(r.getString("document"), null, null);
                                if (!(v instanceof io.overcast.licensing.Verification.Valid<License> ok)) {
                                    return Uni.createFrom().voidItem();
                                }
                                License l = ok.claims();
                                License renewed = new License(
                                        l.id(),
                                        l.organizationId(),
                                        l.tenantId(),
                                        l.product(),
                                        l.edition(),
                                        l.kind(),
                                        l.systemId(),
                                        l.seats(),
                                        l.limits(),
                                        l.features(),
                                        l.notBefore(),
                                        end,
                                        l.maintenanceUntil());
                                return conn.preparedQuery("UPDATE licenses SET expires_at = $2, document = $3, key_id ="
                                                + " $4 WHERE id = $1")
                                        .execute(Tuple.of(
                                                l.id(),
                                                end.atOffset(java.time.ZoneOffset.UTC),
                                                keys.signer().sign(renewed),
                                                keys.signer().keyId()))
                                        .flatMap(x -> audit.record(
                                                conn,
                                                stripe(r.getUUID("org_id"), ip),
                                                r.getUUID("tenant_id"),
                                                "license.renewed",
                                                "license",
                                                l.id().toString(),
                                                Map.of("until", end.toString())));
                            })
                            .collect()
                            .asList()
                            .replaceWith("renewed:" + due.size());
                });
    }

    /** Applies one verified event; answers what it did (stored with the event id). */
    public Uni<String> apply(SqlConnection conn, String type, JsonNode object, String eventId, String sourceIp) {
        return switch (type) {
            case "checkout.session.completed" -> checkoutCompleted(conn, object, false, sourceIp);
            case "checkout.session.async_payment_succeeded" -> checkoutCompleted(conn, object, true, sourceIp);
            case "checkout.session.async_payment_failed" -> purchaseOf(conn, text(object, "client_reference_id"))
                    .flatMap(p -> p == null
                            ? Uni.createFrom().item("unknown_purchase")
                            : end(conn, p, "FAILED", "payment_failed", sourceIp));
            case "customer.subscription.deleted" -> endBy(
                    conn,
                    "subscription",
                    text(object, "id"),
                    metadata(object),
                    "subscription_cancelled",
                    eventId,
                    sourceIp);
            case "invoice.paid" -> renew(conn, object, sourceIp);
            case "charge.refunded" -> endBy(
                    conn, "payment_intent", text(object, "payment_intent"), null, "refunded", eventId, sourceIp);
            default -> Uni.createFrom().item("ignored");
        };
    }

    private Uni<String> checkoutCompleted(SqlConnection conn, JsonNode session, boolean paid, String ip) {
        String purchaseId = text(session, "client_reference_id");
        String paymentStatus = text(session, "payment_status");
        boolean settled = paid || "paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus);
        return purchaseOf(conn, purchaseId).flatMap(p -> {
            if (p == null) {
                return Uni.createFrom().item("unknown_purchase");
            }
            // Remember the Stripe ids the later events (refund, cancellation) will name.
            return conn.preparedQuery("UPDATE purchases SET subscription = coalesce(subscription, $2), payment_intent"
                            + " = coalesce(payment_intent, $3), status = CASE WHEN status = 'OPEN' AND NOT $4 THEN"
                            + " 'AWAITING_PAYMENT' ELSE status END, updated_at = now() WHERE id = $1")
                    .execute(Tuple.of(
                            p.getUUID("id"), text(session, "subscription"), text(session, "payment_intent"), settled))
                    .flatMap(x -> settled
                            ? fulfil(conn, p.getUUID("id"), ip)
                            : Uni.createFrom().item("awaiting_payment"));
        });
    }

    /** Issues the purchase's licenses once; nothing when it was fulfilled, failed or ended already. */
    Uni<String> fulfil(SqlConnection conn, UUID purchaseId, String ip) {
        return conn.preparedQuery("SELECT " + PURCHASE_COLUMNS + ", pl.product, pl.edition, pl.kind,"
                        + " pl.duration_days, pl.seats, EXISTS (SELECT 1 FROM billing_endings e WHERE e.external_id IN"
                        + " (p.subscription, p.payment_intent, p.checkout_session)) AS ended_early, (SELECT e.reason"
                        + " FROM billing_endings e WHERE e.external_id IN (p.subscription, p.payment_intent,"
                        + " p.checkout_session) LIMIT 1) AS early_reason FROM purchases p JOIN plans pl ON pl.id ="
                        + " p.plan_id WHERE p.id = $1 FOR UPDATE OF p")
                .execute(Tuple.of(purchaseId))
                .flatMap(rows -> {
                    Row p = rows.iterator().next();
                    String status = p.getString("status");
                    if (!"OPEN".equals(status) && !"AWAITING_PAYMENT".equals(status)) {
                        return Uni.createFrom().item("already_" + status.toLowerCase());
                    }
                    if (p.getBoolean("ended_early")) {
                        return conn.preparedQuery("UPDATE purchases SET status = 'ENDED', ended_reason = $2,"
                                        + " updated_at = now() WHERE id = $1")
                                .execute(Tuple.of(purchaseId, p.getString("early_reason")))
                                .replaceWith("ended_before_fulfilment");
                    }
                    List<License> licenses = licensesFor(p);
                    return Multi.createFrom()
                            .iterable(licenses)
                            .onItem()
                            .transformToUniAndConcatenate(l -> issuer.insert(
                                            conn, l, p.getString("plan_id"), "STRIPE", purchaseId)
                                    .flatMap(x -> audit.record(
                                            conn,
                                            stripe(p.getUUID("org_id"), ip),
                                            p.getUUID("tenant_id"),
                                            "license.issued",
                                            "license",
                                            l.id().toString(),
                                            Map.of("plan", p.getString("plan_id"), "purchase", purchaseId.toString()))))
                            .collect()
                            .asList()
                            .flatMap(x -> conn.preparedQuery("UPDATE purchases SET status = 'FULFILLED', updated_at ="
                                            + " now() WHERE id = $1")
                                    .execute(Tuple.of(purchaseId)))
                            .replaceWith("fulfilled:" + licenses.size());
                });
    }

    /**
     * PERMANENT: one node-locked license with maintenance for the plan's duration; SUBSCRIPTION: one per unit
     * bought, until the end of the plan's period; POOLED: one license with as many seats as bought; DAILY: one
     * tenant-wide license without end (metered; it ends with the subscription).
     */
    static List<License> licensesFor(Row p) {
        LicenseKind kind = LicenseKind.valueOf(p.getString("kind"));
        int quantity = p.getInteger("quantity");
        var asked = new io.overcast.controlplane.licensing.LicenseResource.IssueLicense(
                p.getString("plan_id"),
                kind == LicenseKind.PERMANENT ? p.getString("system_id") : null,
                kind == LicenseKind.POOLED ? quantity : null);
        List<License> out = new ArrayList<>();
        for (int i = 0; i < (kind == LicenseKind.SUBSCRIPTION ? quantity : 1); i++) {
            out.add(io.overcast.controlplane.licensing.LicenseResource.build(
                    p.getUUID("org_id"), p.getUUID("tenant_id"), p, asked));
        }
        return out;
    }

    private Uni<String> endBy(
            SqlConnection conn,
            String column,
            String externalId,
            JsonNode metadata,
            String reason,
            String eventId,
            String ip) {
        if (externalId == null) {
            return Uni.createFrom().item("no_" + column);
        }
        String byMetadata = metadata == null ? null : text(metadata, "purchase");
        return conn.preparedQuery("SELECT " + PURCHASE_COLUMNS + " FROM purchases p WHERE p." + column + " = $1 OR"
                        + " p.id::text = $2 FOR UPDATE")
                .execute(Tuple.of(externalId, byMetadata))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        // Before its purchase is known by this id: fulfilment will find the ending and stop.
                        return conn.preparedQuery("INSERT INTO billing_endings (external_id, reason, event_id)"
                                        + " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                                .execute(Tuple.of(externalId, reason, eventId))
                                .replaceWith("ending_remembered");
                    }
                    Row p = rows.iterator().next();
                    return conn.preparedQuery(
                                    "UPDATE purchases SET " + column + " = coalesce(" + column + ", $2) WHERE id = $1")
                            .execute(Tuple.of(p.getUUID("id"), externalId))
                            .flatMap(x -> end(conn, p, "ENDED", reason, ip));
                });
    }

    /** Ends the purchase and its licenses, releasing their leases (seats come back at once). */
    private Uni<String> end(SqlConnection conn, Row p, String status, String reason, String ip) {
        UUID purchaseId = p.getUUID("id");
        return conn.preparedQuery("UPDATE licenses SET status = 'ENDED', ended_at = now() WHERE purchase_id = $1 AND"
                        + " status = 'ACTIVE' RETURNING id")
                .execute(Tuple.of(purchaseId))
                .flatMap(ended -> {
                    List<UUID> ids = new ArrayList<>();
                    ended.forEach(r -> ids.add(r.getUUID("id")));
                    return conn.preparedQuery("UPDATE leases SET released_at = now() WHERE license_id = ANY($1) AND"
                                    + " released_at IS NULL")
                            .execute(Tuple.of(ids.toArray(UUID[]::new)))
                            .flatMap(x -> conn.preparedQuery("UPDATE purchases SET status = CASE WHEN status IN"
                                            + " ('ENDED', 'FAILED') THEN status ELSE $2 END, ended_reason ="
                                            + " coalesce(ended_reason, $3), updated_at = now() WHERE id = $1")
                                    .execute(Tuple.of(purchaseId, status, reason)))
                            .flatMap(x -> ids.isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : audit.record(
                                            conn,
                                            stripe(p.getUUID("org_id"), ip),
                                            p.getUUID("tenant_id"),
                                            "license.ended",
                                            "purchase",
                                            purchaseId.toString(),
                                            Map.of("reason", reason, "licenses", ids.size())))
                            .replaceWith("ended:" + ids.size());
                });
    }

    private Uni<Row> purchaseOf(SqlConnection conn, String id) {
        UUID uuid;
        try {
            uuid = id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            uuid = null;
        }
        if (uuid == null) {
            return Uni.createFrom().nullItem();
        }
        return conn.preparedQuery("SELECT " + PURCHASE_COLUMNS + " FROM purchases p WHERE p.id = $1 FOR UPDATE")
                .execute(Tuple.of(uuid))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    private static Actor stripe(UUID orgId, String ip) {
        return new Actor(null, "stripe", orgId, ip);
    }

    private static JsonNode metadata(JsonNode object) {
        JsonNode m = object.get("metadata");
        return m != null && m.isObject() ? m : null;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        // An expanded object carries its id.
        return v.isObject() && v.has("id") ? v.get("id").asText() : v.asText();
    }
}
