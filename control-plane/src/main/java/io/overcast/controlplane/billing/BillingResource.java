package io.overcast.controlplane.billing;

import com.stripe.exception.StripeException;
import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A tenant's purchases: start a Stripe Checkout for a plan, list purchases. The organization pays for its tenants, so only its own administrators
 * (not a tenant's users) start a checkout.
 */
@Path("/api/v1/tenants/{tenantId}/billing")
public class BillingResource {
    private static final Logger LOG = Logger.getLogger(BillingResource.class);
    static final int MAX_QUANTITY = 10_000;

    public record CheckoutRequest(String planId, Integer quantity, String systemId) {}

    public record CheckoutView(UUID purchaseId, String sessionId, String url) {}

    public record PurchaseView(
            UUID id,
            String planId,
            int quantity,
            String systemId,
            String mode,
            String status,
            String endedReason,
            String checkoutUrl,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {}

    private final AccessControl access;
    private final Pool pool;
    private final AuditLog audit;
    private final StripeGateway stripe;

    BillingResource(AccessControl access, Pool pool, AuditLog audit, StripeGateway stripe) {
        this.access = access;
        this.pool = pool;
        this.audit = audit;
        this.stripe = stripe;
    }

    @POST
    @Path("/checkout")
    @RolesAllowed({"OWNER", "ADMIN"})
    @WithSession
    public Uni<Response> checkout(@PathParam("tenantId") UUID tenantId, CheckoutRequest body) {
        if (body == null || body.planId() == null || body.planId().isBlank()) {
            throw ApiException.badRequest("invalid_plan", "planId is required");
        }
        int quantity = body.quantity() == null ? 1 : body.quantity();
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            throw ApiException.badRequest("invalid_quantity", "quantity must be from 1 to " + MAX_QUANTITY);
        }
        if (body.systemId() != null
                && (body.systemId().isBlank() || body.systemId().length() > 200)) {
            throw ApiException.badRequest("invalid_system_id", "systemId must be 1 to 200 characters");
        }
        if (access.caller().tenantId() != null) {
            throw ApiException.forbidden("purchases are made by the organization's administrators");
        }
        if (!stripe.enabled()) {
            throw ApiException.conflict(
                    "billing_disabled", "billing is off on this deployment: licenses are issued by its operator");
        }
        var actor = access.actor();
        Context ctx = Vertx.currentContext();
        return access.tenant(tenantId, Role.ADMIN).flatMap(t -> pool.preparedQuery(
                        "SELECT p.kind, p.stripe_price, o.name AS org_name, o.stripe_customer FROM plans p,"
                                + " organizations o WHERE p.id = $1 AND p.active AND o.id = $2")
                .execute(Tuple.of(body.planId(), t.orgId))
                .flatMap(rows -> {
                    Row plan = rows.size() == 0 ? null : rows.iterator().next();
                    if (plan == null || plan.getString("stripe_price") == null) {
                        throw ApiException.badRequest("invalid_plan", "no plan " + body.planId() + " for sale");
                    }
                    String kind = plan.getString("kind");
                    if ("PERMANENT".equals(kind) && body.systemId() == null) {
                        throw ApiException.badRequest(
                                "invalid_system_id", "a permanent license is node-locked: give a systemId");
                    }
                    if (("PERMANENT".equals(kind) || "DAILY".equals(kind)) && quantity != 1) {
                        throw ApiException.badRequest(
                                "invalid_quantity",
                                "PERMANENT".equals(kind)
                                        ? "a permanent license covers one system: buy one per system"
                                        : "daily use is metered: the quantity is the days used, not bought");
                    }
                    String mode = "PERMANENT".equals(kind) ? "payment" : "subscription";
                    UUID purchaseId = UUID.randomUUID();
                    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO purchases (id, org_id,"
                                            + " tenant_id, plan_id, quantity, system_id, mode, created_by,"
                                            + " status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'OPEN')")
                                    .execute(Tuple.from(java.util.Arrays.asList(
                                            purchaseId,
                                            t.orgId,
                                            t.id,
                                            body.planId(),
                                            quantity,
                                            body.systemId(),
                                            mode,
                                            actor.userId())))
                                    .flatMap(x -> audit.record(
                                            conn,
                                            actor,
                                            t.id,
                                            "billing.checkout_started",
                                            "purchase",
                                            purchaseId.toString(),
                                            Map.of("plan", body.planId(), "quantity", quantity))))
                            .flatMap(x -> Uni.createFrom()
                                    .item(() -> callStripe(
                                            purchaseId,
                                            t.orgId,
                                            plan.getString("org_name"),
                                            plan.getString("stripe_customer"),
                                            mode,
                                            plan.getString("stripe_price"),
                                            "DAILY".equals(kind),
                                            quantity,
                                            t.id,
                                            body.planId()))
                                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                                    .emitOn(r -> ctx.runOnContext(v -> r.run())))
                            .onFailure(StripeFailure.class)
                            .call(e -> pool.preparedQuery("UPDATE purchases SET status = 'FAILED', ended_reason = $2,"
                                            + " updated_at = now() WHERE id = $1")
                                    .execute(Tuple.of(purchaseId, "checkout_failed")))
                            .onFailure(StripeFailure.class)
                            .transform(e -> new ApiException(
                                    502,
                                    "stripe_unavailable",
                                    "Stripe did not create the checkout (" + e.getMessage() + "); try again"))
                            .flatMap(made -> pool.withTransaction(conn -> conn.preparedQuery("UPDATE organizations SET"
                                                    + " stripe_customer = coalesce(stripe_customer, $2) WHERE id ="
                                                    + " $1")
                                            .execute(Tuple.of(t.orgId, made.customer()))
                                            .flatMap(x -> conn.preparedQuery("UPDATE purchases SET checkout_session ="
                                                            + " $2, checkout_url = $3, updated_at = now() WHERE id ="
                                                            + " $1")
                                                    .execute(Tuple.of(
                                                            purchaseId,
                                                            made.checkout().sessionId(),
                                                            made.checkout().url()))))
                                    .replaceWith(Response.status(201)
                                            .entity(new CheckoutView(
                                                    purchaseId,
                                                    made.checkout().sessionId(),
                                                    made.checkout().url()))
                                            .build()));
                }));
    }

    /** A Stripe call that failed, carrying only Stripe's code (never the request, which names the customer). */
    static final class StripeFailure extends RuntimeException {
        StripeFailure(String message) {
            super(message);
        }
    }

    record Made(String customer, StripeGateway.Checkout checkout) {}

    private Made callStripe(
            UUID purchaseId,
            UUID orgId,
            String orgName,
            String customer,
            String mode,
            String price,
            boolean metered,
            int quantity,
            UUID tenantId,
            String planId) {
        try {
            String c = customer != null ? customer : stripe.createCustomer(orgId, orgName);
            return new Made(c, stripe.createCheckout(purchaseId, c, mode, price, metered, quantity, tenantId, planId));
        } catch (StripeException e) {
            LOG.warnf(
                    "Stripe refused the checkout of purchase %s: %s (%s)", purchaseId, e.getCode(), e.getStatusCode());
            throw new StripeFailure(e.getCode() != null ? e.getCode() : "status " + e.getStatusCode());
        }
    }

    @GET
    @Path("/purchases")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    @WithSession
    public Uni<List<PurchaseView>> purchases(@PathParam("tenantId") UUID tenantId) {
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT id, plan_id, quantity, system_id, mode, status, ended_reason,"
                                + " checkout_url, created_at, updated_at FROM purchases WHERE tenant_id = $1 ORDER BY"
                                + " created_at DESC LIMIT 200")
                        .execute(Tuple.of(t.id)))
                .map(rows -> {
                    List<PurchaseView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new PurchaseView(
                            r.getUUID("id"),
                            r.getString("plan_id"),
                            r.getInteger("quantity"),
                            r.getString("system_id"),
                            r.getString("mode"),
                            r.getString("status"),
                            r.getString("ended_reason"),
                            "OPEN".equals(r.getString("status")) ? r.getString("checkout_url") : null,
                            r.getOffsetDateTime("created_at"),
                            r.getOffsetDateTime("updated_at"))));
                    return out;
                });
    }
}
