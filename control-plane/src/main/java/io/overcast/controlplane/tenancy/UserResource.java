package io.overcast.controlplane.tenancy;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.auth.Caller;
import io.overcast.controlplane.auth.PasswordHasher;
import io.overcast.controlplane.error.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Users of the caller's organization. Organization admins manage everyone in it; tenant admins manage their
 * tenant's users. Nobody grants a role above their own.
 */
@Path("/api/v1/users")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class UserResource {
    public record UserView(UUID id, String email, Role role, UUID tenantId, OffsetDateTime createdAt) {
        static UserView of(AppUser u) {
            return new UserView(u.id, u.email, u.role, u.tenantId, u.createdAt);
        }
    }

    public record CreateUser(String email, String password, Role role, UUID tenantId) {}

    public record UpdateUser(Role role) {}

    private final AccessControl access;
    private final AuditLog audit;

    UserResource(AccessControl access, AuditLog audit) {
        this.access = access;
        this.audit = audit;
    }

    @GET
    @WithSession
    public Uni<List<UserView>> list() {
        Caller c = access.caller();
        Uni<List<AppUser>> found = c.orgWide()
                ? AppUser.list("orgId = ?1 order by email", c.orgId())
                : AppUser.list("orgId = ?1 and tenantId = ?2 order by email", c.orgId(), c.tenantId());
        return found.map(l -> l.stream().map(UserView::of).toList());
    }

    @POST
    public Uni<Response> create(CreateUser body) {
        Caller c = access.require(Role.ADMIN);
        if (body == null) {
            throw ApiException.badRequest("request_malformed", "a body is required");
        }
        String email = body.email() == null ? "" : body.email().trim().toLowerCase(Locale.ROOT);
        if (!BootstrapService.EMAIL.matcher(email).matches()) {
            throw ApiException.badRequest("invalid_email", "email is not an e-mail address");
        }
        if (body.password() == null || body.password().length() < BootstrapService.MIN_PASSWORD) {
            throw ApiException.badRequest(
                    "weak_password", "password must have at least " + BootstrapService.MIN_PASSWORD + " characters");
        }
        Role role = body.role() == null ? Role.VIEWER : body.role();
        if (!c.role().atLeast(role)) {
            throw ApiException.forbidden("you cannot grant a role above your own");
        }
        UUID tenantId = c.orgWide() ? body.tenantId() : c.tenantId();
        if (!c.orgWide() && body.tenantId() != null && !body.tenantId().equals(c.tenantId())) {
            throw ApiException.notFound("tenant");
        }
        Context ctx = Vertx.currentContext();
        return Uni.createFrom()
                .item(() -> PasswordHasher.hash(body.password()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(r -> ctx.runOnContext(v -> r.run()))
                .flatMap(hash -> io.quarkus.hibernate.reactive.panache.Panache.withTransaction(() -> {
                    Uni<Void> tenantOk = tenantId == null
                            ? Uni.createFrom().voidItem()
                            : access.tenant(tenantId, Role.ADMIN).replaceWithVoid();
                    return tenantOk.flatMap(x -> AppUser.count("email", email)).flatMap(n -> {
                        if (n > 0) {
                            throw ApiException.conflict("email_taken", "a user with this e-mail exists");
                        }
                        AppUser u = new AppUser();
                        u.id = UUID.randomUUID();
                        u.orgId = c.orgId();
                        u.tenantId = tenantId;
                        u.email = email;
                        u.passwordHash = hash;
                        u.role = role;
                        u.createdAt = OffsetDateTime.now();
                        return u.persist()
                                .flatMap(p -> audit.record(
                                        access.actor(),
                                        tenantId,
                                        "user.created",
                                        "user",
                                        u.id.toString(),
                                        Map.of("email", email, "role", role.name())))
                                .map(p -> Response.status(201)
                                        .entity(UserView.of(u))
                                        .build());
                    });
                }));
    }

    @PATCH
    @Path("/{id}")
    @WithTransaction
    public Uni<UserView> update(@PathParam("id") UUID id, UpdateUser body) {
        Caller c = access.require(Role.ADMIN);
        if (body == null || body.role() == null) {
            throw ApiException.badRequest("invalid_role", "role is required");
        }
        if (!c.role().atLeast(body.role())) {
            throw ApiException.forbidden("you cannot grant a role above your own");
        }
        return visible(c, id).flatMap(u -> {
            if (!c.role().atLeast(u.role)) {
                throw ApiException.forbidden("you cannot change a user above your own role");
            }
            Role before = u.role;
            u.role = body.role();
            return audit.record(
                            access.actor(),
                            u.tenantId,
                            "user.role_changed",
                            "user",
                            u.id.toString(),
                            Map.of("from", before.name(), "to", u.role.name()))
                    .map(x -> UserView.of(u));
        });
    }

    @DELETE
    @Path("/{id}")
    @WithTransaction
    public Uni<Response> delete(@PathParam("id") UUID id) {
        Caller c = access.require(Role.ADMIN);
        if (id.equals(c.userId())) {
            throw ApiException.conflict("cannot_delete_self", "you cannot delete yourself");
        }
        return visible(c, id).flatMap(u -> {
            if (!c.role().atLeast(u.role)) {
                throw ApiException.forbidden("you cannot delete a user above your own role");
            }
            return u.delete()
                    .flatMap(x -> audit.record(
                            access.actor(),
                            u.tenantId,
                            "user.deleted",
                            "user",
                            u.id.toString(),
                            Map.of("email", u.email)))
                    .map(x -> Response.noContent().build());
        });
    }

    private Uni<AppUser> visible(Caller c, UUID id) {
        return AppUser.<AppUser>findById(id).map(u -> {
            if (u == null
                    || !u.orgId.equals(c.orgId())
                    || (!c.orgWide() && !c.tenantId().equals(u.tenantId))) {
                throw ApiException.notFound("user");
            }
            return u;
        });
    }
}
