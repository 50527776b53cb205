package io.overcast.licensing;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A short-lived grant of a DAILY or POOLED license to one instance, renewed over the edge session. */
public record Lease(
        UUID id,
        UUID licenseId,
        UUID instanceId,
        String product,
        String edition,
        Instant issuedAt,
        Instant validUntil) {
    public Lease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(licenseId, "licenseId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(edition, "edition");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(validUntil, "validUntil");
        if (!validUntil.isAfter(issuedAt)) {
            throw new IllegalArgumentException("validUntil must be after issuedAt");
        }
    }
}
