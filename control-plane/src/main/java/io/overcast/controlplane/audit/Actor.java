package io.overcast.controlplane.audit;

import java.util.UUID;

/**
 * Who makes a change: a user (id, e-mail), an edge ({@code edge:<instance>}) or the system.
 *
 * @param orgId the organization the actor acts in, null for the system
 */
public record Actor(UUID userId, String name, UUID orgId, String sourceIp) {
    public static Actor system() {
        return new Actor(null, "system", null, null);
    }

    public static Actor edge(UUID instanceId, UUID orgId, String sourceIp) {
        return new Actor(null, "edge:" + instanceId, orgId, sourceIp);
    }
}
