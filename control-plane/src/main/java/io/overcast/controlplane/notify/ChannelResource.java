package io.overcast.controlplane.notify;

import io.overcast.controlplane.audit.AuditLog;
import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.controlplane.tenancy.Names;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Notification channels of a tenant. A webhook's signing secret is shown once, at creation. */
@Path("/api/v1/tenants/{tenantId}/notification-channels")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class ChannelResource {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.?[^@\\s]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    public record CreateChannel(String name, String kind, String target) {}

    public record UpdateChannel(String name, Boolean enabled) {}

    public record ChannelView(
            UUID id, String name, String kind, String target, boolean enabled, OffsetDateTime createdAt) {
        static ChannelView of(NotificationChannel c) {
            return new ChannelView(c.id, c.name, c.kind, c.target, c.enabled, c.createdAt);
        }
    }

    /** The creation response: the only time a webhook's secret is shown. */
    public record CreatedChannel(ChannelView channel, String secret) {}

    private final AccessControl access;
    private final AuditLog audit;
    private final PkiService pki;

    private final DeliveryWorker worker;

    ChannelResource(AccessControl access, AuditLog audit, PkiService pki, DeliveryWorker worker) {
        this.access = access;
        this.audit = audit;
        this.pki = pki;
        this.worker = worker;
    }

    public record TestResult(boolean delivered) {}

    /** A notification sent (or being retried) through a channel, newest first: where failures show. */
    public record ChannelDelivery(
            long id,
            long alertId,
            String alertKind,
            String message,
            String status,
            int attempts,
            String lastError,
            OffsetDateTime createdAt,
            OffsetDateTime deliveredAt) {}

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    /** The channel's recent deliveries (status=FAILED|PENDING|DELIVERED to filter), newest first, at most 100. */
    @GET
    @Path("/{id}/deliveries")
    @WithSession
    public Uni<List<ChannelDelivery>> deliveries(
            @PathParam("tenantId") UUID tenantId,
            @PathParam("id") UUID id,
            @jakarta.ws.rs.QueryParam("status") String status) {
        if (status != null && !Set.of("FAILED", "PENDING", "DELIVERED").contains(status)) {
            throw ApiException.badRequest("invalid_status", "status must be FAILED, PENDING or DELIVERED");
        }
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT 1 FROM notification_channels WHERE id = $1 AND tenant_id = $2")
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of(id, t.id))
                        .map(found -> {
                            if (found.size() == 0) {
                                throw ApiException.notFound("channel");
                            }
                            return t;
                        }))
                .flatMap(t -> pool.preparedQuery("SELECT d.id, d.alert_id, a.kind, a.message, d.status, d.attempts,"
                                + " d.last_error, d.created_at, d.delivered_at FROM deliveries d JOIN"
                                + " notification_channels c ON c.id = d.channel_id JOIN alerts a ON a.id = d.alert_id"
                                + " WHERE c.id = $1 AND c.tenant_id = $2 AND ($3::text IS NULL OR d.status = $3)"
                                + " ORDER BY d.id DESC LIMIT 100")
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of(id, t.id, status)))
                .map(rows -> {
                    List<ChannelDelivery> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(new ChannelDelivery(
                            r.getLong("id"),
                            r.getLong("alert_id"),
                            r.getString("kind"),
                            r.getString("message"),
                            r.getString("status"),
                            r.getInteger("attempts"),
                            r.getString("last_error"),
                            r.getOffsetDateTime("created_at"),
                            r.getOffsetDateTime("delivered_at"))));
                    return out;
                });
    }

    /** Sends a test notification now; 502 channel_test_failed with the channel's error when it does not arrive. */
    @POST
    @Path("/{id}/test")
    @WithSession
    public Uni<TestResult> test(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        // the JDK HTTP client completes on its own threads; come back to this request's context for the session
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        return access.tenant(tenantId, Role.ADMIN)
                .flatMap(t -> NotificationChannel.<NotificationChannel>findById(id)
                        .map(c -> {
                            if (c == null || !c.tenantId.equals(t.id)) {
                                throw ApiException.notFound("channel");
                            }
                            return c;
                        }))
                .flatMap(c -> worker.sendTest(c)
                        .emitOn(task -> context.runOnContext(v -> task.run()))
                        .map(x -> new TestResult(true))
                        .onFailure(e -> !(e instanceof ApiException))
                        .transform(e -> new ApiException(
                                502,
                                "channel_test_failed",
                                "the test did not arrive: "
                                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()))));
    }

    @GET
    @WithSession
    public Uni<List<ChannelView>> list(@PathParam("tenantId") UUID tenantId) {
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> NotificationChannel.<NotificationChannel>list("tenantId", Sort.by("name"), t.id))
                .map(l -> l.stream().map(ChannelView::of).toList());
    }

    @POST
    @WithTransaction
    public Uni<Response> create(@PathParam("tenantId") UUID tenantId, CreateChannel body) {
        return access.tenant(tenantId, Role.ADMIN).flatMap(t -> {
            if (body == null || body.kind() == null) {
                throw ApiException.badRequest("invalid_kind", "kind must be WEBHOOK or EMAIL");
            }
            String name = Names.required("name", body.name());
            NotificationChannel c = new NotificationChannel();
            c.id = UUID.randomUUID();
            c.tenantId = t.id;
            c.name = name;
            c.enabled = true;
            c.createdAt = OffsetDateTime.now();
            String secret = null;
            switch (body.kind()) {
                case "WEBHOOK" -> {
                    c.kind = "WEBHOOK";
                    c.target = webhookUrl(body.target());
                    byte[] raw = new byte[32];
                    RANDOM.nextBytes(raw);
                    secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                    c.secretSealed = pki.masterKey().seal("webhook:" + c.id, secret.getBytes(StandardCharsets.UTF_8));
                }
                case "EMAIL" -> {
                    c.kind = "EMAIL";
                    if (body.target() == null
                            || !EMAIL.matcher(body.target().strip()).matches()
                            || body.target().length() > 254) {
                        throw ApiException.badRequest("invalid_target", "target must be an e-mail address");
                    }
                    c.target = body.target().strip();
                }
                default -> throw ApiException.badRequest("invalid_kind", "kind must be WEBHOOK or EMAIL");
            }
            String shown = secret;
            return c.persist()
                    .flatMap(x -> audit.record(
                            access.actor(),
                            t.id,
                            "channel.created",
                            "notification_channel",
                            c.id.toString(),
                            Map.of("kind", c.kind, "target", c.target)))
                    .map(x -> Response.status(201)
                            .entity(new CreatedChannel(ChannelView.of(c), shown))
                            .build());
        });
    }

    @PATCH
    @Path("/{id}")
    @WithTransaction
    public Uni<ChannelView> update(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id, UpdateChannel body) {
        if (body == null) {
            throw ApiException.badRequest("request_malformed", "a body is required");
        }
        return access.tenant(tenantId, Role.ADMIN).flatMap(t -> find(t.id, id)).flatMap(c -> {
            if (body.name() != null) {
                c.name = Names.required("name", body.name());
            }
            if (body.enabled() != null) {
                c.enabled = body.enabled();
            }
            return audit.record(
                            access.actor(),
                            tenantId,
                            "channel.updated",
                            "notification_channel",
                            id.toString(),
                            Map.of("enabled", c.enabled, "name", c.name))
                    .map(x -> ChannelView.of(c));
        });
    }

    @DELETE
    @Path("/{id}")
    @WithTransaction
    public Uni<Response> delete(@PathParam("tenantId") UUID tenantId, @PathParam("id") UUID id) {
        return access.tenant(tenantId, Role.ADMIN)
                .flatMap(t -> find(t.id, id))
                .flatMap(c -> c.delete()
                        .flatMap(x -> audit.record(
                                access.actor(),
                                tenantId,
                                "channel.deleted",
                                "notification_channel",
                                id.toString(),
                                Map.of("target", c.target))))
                .map(x -> Response.noContent().build());
    }

    private static Uni<NotificationChannel> find(UUID tenantId, UUID id) {
        return NotificationChannel.<NotificationChannel>find("id = ?1 and tenantId = ?2", id, tenantId)
                .firstResult()
                .map(c -> {
                    if (c == null) {
                        throw ApiException.notFound("notification channel");
                    }
                    return c;
                });
    }

    private static String webhookUrl(String target) {
        try {
            URI u = URI.create(target == null ? "" : target.strip());
            if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme()))
                    || u.getHost() == null
                    || target.length() > 2048) {
                throw new IllegalArgumentException();
            }
            return u.toString();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_target", "target must be an http(s) URL");
        }
    }
}
