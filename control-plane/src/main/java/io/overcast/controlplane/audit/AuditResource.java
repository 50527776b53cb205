package io.overcast.controlplane.audit;

import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.auth.Caller;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The audit log: organization users see the whole organization's, tenant users their tenant's. */
@Path("/api/v1/audit")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class AuditResource {
    public record AuditView(
            long id,
            OffsetDateTime at,
            UUID tenantId,
            String actor,
            String action,
            String targetType,
            String targetId,
            Map<String, Object> details,
            String sourceIp) {}

    private final AccessControl access;

    AuditResource(AccessControl access) {
        this.access = access;
    }

    @GET
    @WithSession
    public Uni<List<AuditView>> list(
            @QueryParam("tenantId") UUID tenantId,
            @QueryParam("action") String action,
            @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        Caller c = access.require(Role.VIEWER);
        StringBuilder q = new StringBuilder("orgId = :org");
        Map<String, Object> p = new HashMap<>();
        p.put("org", c.orgId());
        UUID scope = c.orgWide() ? tenantId : c.tenantId();
        if (!c.orgWide() && tenantId != null && !tenantId.equals(c.tenantId())) {
            return Uni.createFrom().item(List.of());
        }
        if (scope != null) {
            q.append(" and tenantId = :tenant");
            p.put("tenant", scope);
        }
        if (action != null && !action.isBlank()) {
            q.append(" and action like :action");
            p.put("action", action.replace("%", "") + "%");
        }
        return AuditEvent.<AuditEvent>find(q.toString(), Sort.descending("id"), p)
                .page(Page.of(Math.max(page, 0), Math.min(Math.max(size, 1), 500)))
                .list()
                .map(l -> l.stream()
                        .map(e -> new AuditView(
                                e.id,
                                e.at,
                                e.tenantId,
                                e.actor,
                                e.action,
                                e.targetType,
                                e.targetId,
                                e.details,
                                e.sourceIp))
                        .toList());
    }
}
