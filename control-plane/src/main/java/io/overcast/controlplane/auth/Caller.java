package io.overcast.controlplane.auth;

import io.overcast.controlplane.tenancy.Role;
import java.util.UUID;

/**
 * The authenticated user behind a request, read from the access token.
 *
 * @param tenantId null for an organization-wide user
 */
public record Caller(UUID userId, String email, UUID orgId, UUID tenantId, Role role) {
    public boolean orgWide() {
        return tenantId == null;
    }
}
