package io.overcast.controlplane.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.pki.CsrValidator;
import io.overcast.controlplane.pki.Pem;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.protocol.Frame;
import io.overcast.protocol.FrameCodec;
import io.overcast.protocol.FrameType;
import io.overcast.protocol.Health;
import io.overcast.protocol.Limits;
import io.overcast.protocol.Payloads;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@code /edge/v1/session}: the edge's one long-lived session (see {@link io.overcast.protocol}). Identity comes
 * from {@link EdgeCertificateCheck}; this class only runs the protocol. Nothing here blocks: frames are handled
 * on the connection's event loop, heartbeats go to {@link HeartbeatBuffer}, status changes to {@link StatusWriter}.
 */
@WebSocket(path = "/edge/v1/session")
public class EdgeSessionEndpoint {
    private static final Logger LOG = Logger.getLogger(EdgeSessionEndpoint.class);
    static final List<String> CAPABILITIES = List.of("heartbeat", "renew_certificate", "disconnect", "lease");

    private final SessionRegistry registry;
    private final HeartbeatBuffer heartbeats;
    private final StatusWriter status;
    private final PkiService pki;
    private final OvercastConfig config;
    private final Pool pool;
    private final io.overcast.controlplane.licensing.LeaseService leases;
    private final FrameCodec codec = new FrameCodec();
    private final Counter badFrames;
    private final Counter heartbeatCount;
    private final Timer heartbeatTimer;

    EdgeSessionEndpoint(
            SessionRegistry registry,
            HeartbeatBuffer heartbeats,
            StatusWriter status,
            PkiService pki,
            OvercastConfig config,
            Pool pool,
            io.overcast.controlplane.licensing.LeaseService leases,
            MeterRegistry metrics) {
        this.leases = leases;
        this.registry = registry;
        this.heartbeats = heartbeats;
        this.status = status;
        this.pki = pki;
        this.config = config;
        this.pool = pool;
        this.badFrames = metrics.counter("overcast.frames.bad");
        this.heartbeatCount = metrics.counter("overcast.heartbeats");
        this.heartbeatTimer = Timer.builder("overcast.heartbeat.handling")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    @OnOpen
    Uni<Void> onOpen(WebSocketConnection connection) {
        EdgeSession s = new EdgeSession(
                UUID.fromString(connection.userData().get(EdgeCertificateCheck.INSTANCE)),
                UUID.fromString(connection.userData().get(EdgeCertificateCheck.TENANT)),
                UUID.fromString(connection.userData().get(EdgeCertificateCheck.ORG)),
                connection.userData().get(EdgeCertificateCheck.SERIAL),
                connection,
                System.nanoTime());
        connection.userData().put(EdgeCertificateCheck.SESSION, s.sessionId.toString());
        registry.add(s);
        return status.online(s).onFailure().invoke(e -> {
            LOG.warnf("could not mark %s online: %s", s.instanceId, e.getMessage());
            registry.remove(s);
            s.close(1011, "server error");
        });
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        String instance = connection.userData().get(EdgeCertificateCheck.INSTANCE);
        if (instance == null) {
            return;
        }
        UUID instanceId = UUID.fromString(instance);
        LOG.debugf("session of %s closed", instanceId);
        EdgeSession s = registry.get(instanceId);
        if (s != null && s.connection.id().equals(connection.id())) {
            registry.remove(s);
        }
        String session = connection.userData().get(EdgeCertificateCheck.SESSION);
        if (session != null) {
            status.offline(instanceId, UUID.fromString(session));
        }
    }

    /** Errors the protocol code did not handle: an oversized message (1009), or a bug (1011). */
    @OnError
    Uni<Void> onError(WebSocketConnection connection, Throwable error) {
        badFrames.increment();
        boolean tooBig = String.valueOf(error.getMessage()).contains("max message size");
        if (!tooBig) {
            LOG.warn("session error", error);
        }
        return connection.close(new io.quarkus.websockets.next.CloseReason(
                tooBig ? 1009 : 1011, tooBig ? "frame too large" : "server error"));
    }

    @OnTextMessage
    Uni<Void> onMessage(WebSocketConnection connection, String text) {
        EdgeSession s = registry.get(UUID.fromString(connection.userData().get(EdgeCertificateCheck.INSTANCE)));
        if (s == null || !s.connection.id().equals(connection.id())) {
            return connection.close(new io.quarkus.websockets.next.CloseReason(
                    SessionRegistry.CLOSE_REPLACED, "session no longer current"));
        }
        long now = System.nanoTime();
        s.lastFrameNanos = now;
        if (!s.admitFrame(now, config.edge().maxFramesPerSecond())) {
            LOG.warnf("closing the session of %s: frame flood", s.instanceId);
            s.close(SessionRegistry.CLOSE_POLICY, "frame flood");
            return Uni.createFrom().voidItem();
        }
        FrameCodec.Decoded decoded = codec.decode(text);
        if (decoded instanceof FrameCodec.Decoded.Bad bad) {
            return badFrame(s, null, bad.code(), bad.message());
        }
        return handle(s, ((FrameCodec.Decoded.Ok) decoded).frame(), now);
    }

    private Uni<Void> handle(EdgeSession s, Frame f, long receivedNanos) {
        var type = FrameType.parse(f.type());
        if (type.isEmpty()) {
            return badFrame(s, f.id(), "frame_type_unknown", "unknown frame type " + trim(f.type()));
        }
        try {
            return switch (type.get()) {
                case HELLO -> hello(s, f);
                case HEARTBEAT -> heartbeat(s, f, receivedNanos);
                case ACK -> ack(s, f);
                case RENEW -> renew(s, f);
                case LEASE -> lease(s, f);
                default -> badFrame(s, f.id(), "frame_type_unexpected", f.type() + " is not sent by edges");
            };
        } catch (IllegalArgumentException | ApiException e) {
            String code = e instanceof ApiException api ? api.code() : "payload_invalid";
            return badFrame(s, f.id(), code, e.getMessage());
        }
    }

    private Uni<Void> hello(EdgeSession s, Frame f) {
        var hello = codec.payload(f, Payloads.Hello.class);
        if (hello.protocol() != Limits.PROTOCOL_VERSION) {
            return send(
                            s,
                            FrameType.ERROR,
                            f.id(),
                            new Payloads.Error(
                                    "protocol_unsupported", "this server speaks protocol " + Limits.PROTOCOL_VERSION))
                    .invoke(() -> s.close(SessionRegistry.CLOSE_POLICY, "protocol unsupported"));
        }
        s.welcomed = true;
        Uni<Void> facts = hello.facts() == null
                ? Uni.createFrom().voidItem()
                : pool.preparedQuery(
                                "UPDATE instances SET version = coalesce($2, version), hostname = coalesce($3, hostname) WHERE id = $1")
                        .execute(Tuple.of(
                                s.instanceId,
                                trim(hello.facts().version()),
                                trim(hello.facts().hostname())))
                        .replaceWithVoid();
        return facts.flatMap(x -> send(
                s,
                FrameType.WELCOME,
                f.id(),
                new Payloads.Welcome(
                        Limits.PROTOCOL_VERSION,
                        s.instanceId.toString(),
                        s.tenantId.toString(),
                        (int) config.edge().heartbeatInterval().toSeconds(),
                        CAPABILITIES)));
    }

    private Uni<Void> heartbeat(EdgeSession s, Frame f, long receivedNanos) {
        if (!s.welcomed) {
            return badFrame(s, f.id(), "hello_required", "send hello first");
        }
        var beat = codec.payload(f, Payloads.Heartbeat.class);
        Health h = beat.health();
        HealthRules.check(h);
        if (beat.licenses() != null && beat.licenses().size() > io.overcast.protocol.Limits.MAX_WANTS) {
            throw new IllegalArgumentException("too many license states");
        }
        heartbeats.record(s.instanceId, h, beat.licenses());
        heartbeatCount.increment();
        heartbeatTimer.record(System.nanoTime() - receivedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return Uni.createFrom().voidItem();
    }

    /** A lease request: answered with the grants under the request's id, or an error the edge retries after. */
    private Uni<Void> lease(EdgeSession s, Frame f) {
        if (!s.welcomed) {
            return badFrame(s, f.id(), "hello_required", "send hello first");
        }
        var wants =
                io.overcast.controlplane.licensing.LeaseService.validate(codec.payload(f, Payloads.LeaseRequest.class));
        return leases.grant(s.instanceId, s.tenantId, wants)
                .flatMap(l -> send(s, FrameType.LEASES, f.id(), l))
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf("lease request of %s failed: %s", s.instanceId, e.getMessage());
                    return send(
                            s,
                            FrameType.ERROR,
                            f.id(),
                            new Payloads.Error("lease_unavailable", "leases cannot be granted now; ask again later"));
                });
    }

    private Uni<Void> ack(EdgeSession s, Frame f) {
        var ack = codec.payload(f, Payloads.Ack.class);
        if (!ack.ok()) {
            LOG.infof("edge %s refused command %s: %s", s.instanceId, f.id(), trim(ack.error()));
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> renew(EdgeSession s, Frame f) {
        var req = codec.payload(f, Payloads.Renew.class);
        var key = CsrValidator.validate(req.csr());
        X509Certificate cert = pki.issueInstance(key, s.tenantId, s.instanceId);
        var notAfter = cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC);
        return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO certificates (serial, instance_id,"
                                + " not_before, not_after) VALUES ($1, $2, $3, $4)")
                        .execute(Tuple.of(
                                cert.getSerialNumber().toString(16),
                                s.instanceId,
                                cert.getNotBefore().toInstant().atOffset(ZoneOffset.UTC),
                                notAfter))
                        .flatMap(x -> conn.preparedQuery("UPDATE instances SET cert_not_after = $2 WHERE id = $1")
                                .execute(Tuple.of(s.instanceId, notAfter))))
                .flatMap(x -> send(
                        s,
                        FrameType.RENEWED,
                        f.id(),
                        new Payloads.Renewed(Pem.write(cert), pki.ca().certificatePem())));
    }

    private Uni<Void> badFrame(EdgeSession s, String id, String code, String message) {
        badFrames.increment();
        if (!s.admitBadFrame(System.nanoTime(), config.edge().badFrameBudget())) {
            LOG.warnf("closing the session of %s: too many bad frames", s.instanceId);
            s.close(SessionRegistry.CLOSE_POLICY, "too many bad frames");
            return Uni.createFrom().voidItem();
        }
        return send(s, FrameType.ERROR, id, new Payloads.Error(code, message));
    }

    /** Sends a command; the edge acknowledges it with an ack frame under the returned id. */
    public static Uni<String> command(EdgeSession s, String command, String reason) {
        String id = FrameCodec.newId();
        String text = new FrameCodec().encode(FrameType.COMMAND, id, new Payloads.Command(command, reason));
        return s.connection.sendText(text).replaceWith(id);
    }

    private Uni<Void> send(EdgeSession s, FrameType type, String id, Object payload) {
        return s.connection.sendText(codec.encode(type, id, payload));
    }

    private static String trim(String s) {
        return s == null ? null : s.length() > 64 ? s.substring(0, 64) : s;
    }
}
