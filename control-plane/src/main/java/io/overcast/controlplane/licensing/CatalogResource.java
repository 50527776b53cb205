package io.overcast.controlplane.licensing;

import io.overcast.controlplane.licensing.LicenseResource.KeyView;
import io.overcast.controlplane.licensing.LicenseResource.PlanView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GET /api/v1/plans (the catalog), GET /api/v1/licensing/keys (what verifies licenses offline) and GET
 * /api/v1/billing (whether billing is on).
 */
@Path("/api/v1")
public class CatalogResource {
    private final Pool pool;
    private final LicensingKeys keys;
    private final io.overcast.controlplane.billing.StripeGateway stripe;

    CatalogResource(Pool pool, LicensingKeys keys, io.overcast.controlplane.billing.StripeGateway stripe) {
        this.pool = pool;
        this.keys = keys;
        this.stripe = stripe;
    }

    public record BillingStatus(boolean enabled) {}

    /** Whether purchases go through Stripe here (a private cloud runs with billing off). */
    @GET
    @Path("/billing")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    public BillingStatus billing() {
        return new BillingStatus(stripe.enabled());
    }

    @GET
    @Path("/plans")
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    public Uni<List<PlanView>> plans() {
        return pool.query("SELECT id, name, product, edition, kind, duration_days, seats, stripe_price FROM plans"
                        + " WHERE active ORDER BY product, edition, kind")
                .execute()
                .map(rows -> {
                    List<PlanView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new PlanView(
                            r.getString("id"),
                            r.getString("name"),
                            r.getString("product"),
                            r.getString("edition"),
                            r.getString("kind"),
                            r.getInteger("duration_days"),
                            r.getInteger("seats"),
                            r.getString("stripe_price"))));
                    return out;
                });
    }

    /** The public keys that verify this deployment's licenses, by key id: what an offline box needs. */
    @GET
    @Path("/licensing/keys")
    @PermitAll
    public List<KeyView> publicKeys() {
        return keys.publicKeys().entrySet().stream()
                .map(e -> new KeyView(e.getKey(), "EdDSA", e.getValue()))
                .toList();
    }
}
