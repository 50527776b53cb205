package io.overcast.controlplane.auth;

import io.overcast.controlplane.audit.Actor;
import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.AppUser;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/** Sign-in. Wrong e-mail and wrong password look the same; repeated failures slow the account down. */
@Path("/api/v1/auth")
public class AuthResource {
    private static final Logger LOG = Logger.getLogger(AuthResource.class);
    private static final Duration MAX_BLOCK = Duration.ofMinutes(15);
    /** Verified when the e-mail is unknown, so that the answer takes as long as for a known one. */
    private static final String DUMMY_HASH = PasswordHasher.hash("no such user");

    public record LoginRequest(String email, String password) {}

    public record LoginResponse(String accessToken, long expiresIn, String tokenType) {}

    private record Candidate(AppUser user, OffsetDateTime blockedUntil) {}

    private final JwtKeys keys;
    private final OvercastConfig config;
    private final AuditLog audit;
    private final HttpServerRequest request;

    AuthResource(JwtKeys keys, OvercastConfig config, AuditLog audit, HttpServerRequest request) {
        this.keys = keys;
        this.config = config;
        this.audit = audit;
        this.request = request;
    }

    @POST
    @Path("/login")
    @PermitAll
    public Uni<LoginResponse> login(LoginRequest body) {
        if (body == null || body.email() == null || body.password() == null) {
            throw ApiException.badRequest("request_malformed", "email and password are required");
        }
        String email = body.email().trim().toLowerCase(Locale.ROOT);
        String ip = request.remoteAddress().hostAddress();
        Context ctx = Vertx.currentContext();
        return Panache.withSession(() -> AppUser.<AppUser>find("email", email).firstResult())
                .map(u -> new Candidate(u, u == null ? null : u.blockedUntil))
                .flatMap(c -> {
                    if (c.blockedUntil() != null && c.blockedUntil().isAfter(OffsetDateTime.now())) {
                        long wait = Duration.between(OffsetDateTime.now(), c.blockedUntil())
                                        .toSeconds()
                                + 1;
                        throw new ApiException(
                                429, "login_throttled", "too many failed sign-ins; retry in " + wait + " s");
                    }
                    String hash = c.user() == null ? DUMMY_HASH : c.user().passwordHash;
                    return Uni.createFrom()
                            .item(() -> PasswordHasher.verify(body.password(), hash))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                            .emitOn(r -> ctx.runOnContext(v -> r.run()))
                            .flatMap(ok -> settle(c.user(), ok && c.user() != null, ip));
                });
    }

    private Uni<LoginResponse> settle(AppUser found, boolean ok, String ip) {
        if (found == null) {
            throw ApiException.unauthorized("invalid_credentials", "e-mail or password is wrong");
        }
        return Panache.withTransaction(() -> AppUser.<AppUser>findById(found.id).flatMap(u -> {
                    Actor actor = new Actor(u.id, u.email, u.orgId, ip);
                    if (ok) {
                        u.failedLogins = 0;
                        u.blockedUntil = null;
                        return audit.record(actor, u.tenantId, "auth.login", "user", u.id.toString(), null)
                                .replaceWith(u);
                    }
                    u.failedLogins++;
                    int over = u.failedLogins - config.auth().freeFailures();
                    if (over >= 0) {
                        long secs = Math.min(1L << Math.min(over, 20), MAX_BLOCK.toSeconds());
                        u.blockedUntil = OffsetDateTime.now().plusSeconds(secs);
                    }
                    return audit.record(
                                    actor,
                                    u.tenantId,
                                    "auth.login_failed",
                                    "user",
                                    u.id.toString(),
                                    Map.of("failedLogins", u.failedLogins))
                            .replaceWith((AppUser) null);
                }))
                .map(u -> {
                    if (u == null) {
                        LOG.debugf("failed sign-in from %s", ip);
                        throw ApiException.unauthorized("invalid_credentials", "e-mail or password is wrong");
                    }
                    return issue(u);
                });
    }

    private LoginResponse issue(AppUser u) {
        Duration life = config.auth().accessTokenLifetime();
        String token = Jwt.issuer(config.auth().issuer())
                .subject(u.id.toString())
                .groups(Set.of(u.role.name()))
                .claim("org", u.orgId.toString())
                .claim("tenant", u.tenantId == null ? "" : u.tenantId.toString())
                .claim("email", u.email)
                .expiresIn(life)
                .jws()
                .keyId(JwtKeys.KEY_ID)
                .algorithm(SignatureAlgorithm.ES256)
                .sign(keys.signingKey());
        return new LoginResponse(token, life.toSeconds(), "Bearer");
    }
}
