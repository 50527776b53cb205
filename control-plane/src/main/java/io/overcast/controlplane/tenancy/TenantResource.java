package io.overcast.controlplane.tenancy;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.auth.Caller;
import io.overcast.controlplane.error.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Path("/api/v1/tenants")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class TenantResource {
    public record TenantView(UUID id, UUID organizationId, String name, OffsetDateTime createdAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id, t.orgId, t.name, t.createdAt);
        }
    }

    public record CreateTenant(String name) {}

    private final AccessControl access;
    private final AuditLog audit;

    TenantResource(AccessControl access, AuditLog audit) {
        this.access = access;
        this.audit = audit;
    }

    @GET
    @WithSession
    public Uni<List<TenantView>> list() {
        Caller c = access.caller();
        Uni<List<Tenant>> found =
                c.orgWide() ? Tenant.list("orgId = ?1 order by name", c.orgId()) : Tenant.list("id = ?1", c.tenantId());
        return found.map(l -> l.stream().map(TenantView::of).toList());
    }

    @GET
    @Path("/{id}")
    @WithSession
    public Uni<TenantView> get(@PathParam("id") UUID id) {
        return access.tenant(id, Role.VIEWER).map(TenantView::of);
    }

    @POST
    @WithTransaction
    public Uni<Response> create(CreateTenant body) {
        Caller c = access.require(Role.ADMIN);
        if (!c.orgWide()) {
            throw ApiException.forbidden("only organization users create tenants");
        }
        String name = Names.required("name", body == null ? null : body.name());
        return Tenant.count("orgId = ?1 and name = ?2", c.orgId(), name).flatMap(n -> {
            if (n > 0) {
                throw ApiException.conflict("tenant_exists", "a tenant with this name exists");
            }
            Tenant t = new Tenant();
            t.id = UUID.randomUUID();
            t.orgId = c.orgId();
            t.name = name;
            t.createdAt = OffsetDateTime.now();
            return t.persist()
                    .flatMap(x -> audit.record(
                            access.actor(), t.id, "tenant.created", "tenant", t.id.toString(), Map.of("name", name)))
                    .map(x -> Response.status(201).entity(TenantView.of(t)).build());
        });
    }
}
