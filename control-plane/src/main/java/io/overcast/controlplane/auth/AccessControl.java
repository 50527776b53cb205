package io.overcast.controlplane.auth;

import io.overcast.controlplane.audit.Actor;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Role;
import io.overcast.controlplane.tenancy.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Scopes every API call. Anything outside the caller's organization or tenant answers 404 exactly as if it did
 * not exist; a known object that the caller's role may not change answers 403.
 */
@RequestScoped
public class AccessControl {
    @Inject
    JsonWebToken jwt;

    @Inject
    HttpServerRequest request;

    public Caller caller() {
        if (jwt == null || jwt.getSubject() == null) {
            throw ApiException.unauthorized("unauthenticated", "sign in first");
        }
        String tenant = jwt.getClaim("tenant");
        String role = jwt.getGroups().stream().findFirst().orElse("VIEWER");
        return new Caller(
                UUID.fromString(jwt.getSubject()),
                jwt.getClaim("email"),
                UUID.fromString(jwt.getClaim("org")),
                tenant == null || tenant.isEmpty() ? null : UUID.fromString(tenant),
                Role.valueOf(role));
    }

    public Actor actor() {
        Caller c = caller();
        return new Actor(
                c.userId(), c.email(), c.orgId(), request.remoteAddress().hostAddress());
    }

    /** The caller must hold at least this role. */
    public Caller require(Role min) {
        Caller c = caller();
        if (!c.role().atLeast(min)) {
            throw ApiException.forbidden("this needs the role " + min + " or higher");
        }
        return c;
    }

    /** The tenant if the caller can see it, with at least this role; else 404 (unseen) or 403 (seen, too weak). */
    public Uni<Tenant> tenant(UUID tenantId, Role min) {
        Caller c = caller();
        if (tenantId == null || (c.tenantId() != null && !c.tenantId().equals(tenantId))) {
            return Uni.createFrom().failure(ApiException.notFound("tenant"));
        }
        return Tenant.<Tenant>findById(tenantId).map(t -> {
            if (t == null || !t.orgId.equals(c.orgId())) {
                throw ApiException.notFound("tenant");
            }
            if (!c.role().atLeast(min)) {
                throw ApiException.forbidden("this needs the role " + min + " or higher");
            }
            return t;
        });
    }
}
