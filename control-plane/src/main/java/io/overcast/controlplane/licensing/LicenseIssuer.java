package io.overcast.controlplane.licensing;

import io.overcast.licensing.License;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/** Signs a license and stores it with its claims as columns, on the caller's transaction. */
@ApplicationScoped
public class LicenseIssuer {
    private final LicensingKeys keys;

    LicenseIssuer(LicensingKeys keys) {
        this.keys = keys;
    }

    /** @param source ADMIN (the operator's API) or STRIPE (a paid purchase, {@code purchaseId} set) */
    public Uni<Void> insert(SqlConnection conn, License license, String planId, String source, UUID purchaseId) {
        String document = keys.signer().sign(license);
        return conn.preparedQuery("INSERT INTO licenses (id, org_id, tenant_id, plan_id, product, edition, kind,"
                        + " system_id, seats, not_before, expires_at, maintenance_until, status, source, key_id,"
                        + " document, purchase_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'ACTIVE',"
                        + " $13, $14, $15, $16)")
                .execute(Tuple.from(Arrays.asList(
                        license.id(),
                        license.organizationId(),
                        license.tenantId(),
                        planId,
                        license.product(),
                        license.edition(),
                        license.kind().name(),
                        license.systemId(),
                        license.seats(),
                        utc(license.notBefore()),
                        utc(license.expiresAt()),
                        utc(license.maintenanceUntil()),
                        source,
                        keys.signer().keyId(),
                        document,
                        purchaseId)))
                .replaceWithVoid();
    }

    static OffsetDateTime utc(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
}
