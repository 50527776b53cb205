package io.overcast.licensing;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The claims of a license document. {@code systemId} is set for node-locked licenses; {@code expiresAt} is null for
 * perpetual ones; {@code seats} is the pool size of a POOLED license (1 otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record License(
        UUID id,
        UUID organizationId,
        UUID tenantId,
        String product,
        String edition,
        LicenseKind kind,
        String systemId,
        int seats,
        Map<String, Long> limits,
        List<String> features,
        Instant notBefore,
        Instant expiresAt,
        Instant maintenanceUntil) {

    public License {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(edition, "edition");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(notBefore, "notBefore");
        if (kind == LicenseKind.PERMANENT && (systemId == null || systemId.isBlank())) {
            throw new IllegalArgumentException("a PERMANENT license is node-locked: it needs a system id");
        }
        if (kind == LicenseKind.SUBSCRIPTION && expiresAt == null) {
            throw new IllegalArgumentException("a SUBSCRIPTION needs an end date");
        }
        if (seats < 1) {
            throw new IllegalArgumentException("seats must be at least 1");
        }
        if (expiresAt != null && !expiresAt.isAfter(notBefore)) {
            throw new IllegalArgumentException("expiresAt must be after notBefore");
        }
        limits = limits == null ? Map.of() : Map.copyOf(limits);
        features = features == null ? List.of() : List.copyOf(features);
    }
}
