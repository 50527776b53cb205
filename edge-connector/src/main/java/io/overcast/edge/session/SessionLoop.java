package io.overcast.edge.session;

import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Keys;
import io.overcast.protocol.Facts;
import io.overcast.protocol.Frame;
import io.overcast.protocol.FrameCodec;
import io.overcast.protocol.FrameType;
import io.overcast.protocol.Health;
import io.overcast.protocol.Limits;
import io.overcast.protocol.Payloads;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * Keeps one session open: connect, hello, heartbeats, commands, certificate renewal, and reconnection with
 * exponential backoff and full jitter (cap 60 s), rotating through the session URLs. Time comes from the injected
 * {@link Clock} and {@link Ticker}, and every event runs on the ticker's thread, so tests drive it without
 * sleeping. The one-call work (open a socket, send a text) is the {@link Transport}'s.
 */
public final class SessionLoop {
    private static final Logger LOG = Logger.getLogger(SessionLoop.class.getName());
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(15);

    public enum State {
        IDLE,
        CONNECTING,
        HELLO_SENT,
        ONLINE,
        BACKOFF,
        STOPPED
    }

    /** What the embedding program may want to know. All callbacks run on the ticker's thread. */
    public interface Observer {
        default void stateChanged(State state) {}

        default void certificateRenewed(X509Certificate cert) {}

        default void commandReceived(String command) {}
    }

    /**
     * The licensing side the loop serves (see {@code EdgeLicensing}): what to ask leases for, what to do with the
     * answer, when to ask again, and the state to put in each heartbeat. Called on the ticker's thread.
     */
    public interface Licensing {
        List<Payloads.Want> wants();

        void granted(Payloads.Leases leases);

        /** The request got an error or no answer. */
        void failed(String why);

        /** When to ask again; null when nothing is wanted. */
        Instant nextRequest();

        List<Payloads.LicenseState> states();
    }

    /** How long a lease request may stay unanswered before it is asked again. */
    static final Duration LEASE_TIMEOUT = Duration.ofSeconds(30);

    private final EdgeState state;
    private final Transport transport;
    private final Ticker ticker;
    private final Clock clock;
    private final Backoff backoff;
    private final Supplier<Facts> facts;
    private final Supplier<Health> health;
    private final Observer observer;
    private final Licensing licensing;
    private final FrameCodec codec = new FrameCodec();

    private State current = State.IDLE;
    private Transport.Connection connection;
    private long generation;
    private int attempt;
    private int urlIndex;
    private Duration heartbeatInterval;
    private Ticker.Cancellable heartbeatTimer;
    private Ticker.Cancellable helloTimer;
    private Ticker.Cancellable retryTimer;
    private Ticker.Cancellable leaseTimer;
    private String pendingLeaseId;
    private KeyPair pendingKey;
    private String pendingRenewId;

    public SessionLoop(
            EdgeState state,
            Transport transport,
            Ticker ticker,
            Clock clock,
            Backoff backoff,
            Supplier<Facts> facts,
            Supplier<Health> health,
            Observer observer) {
        this(state, transport, ticker, clock, backoff, facts, health, observer, null);
    }

    public SessionLoop(
            EdgeState state,
            Transport transport,
            Ticker ticker,
            Clock clock,
            Backoff backoff,
            Supplier<Facts> facts,
            Supplier<Health> health,
            Observer observer,
            Licensing licensing) {
        this.licensing = licensing;
        this.state = state;
        this.transport = transport;
        this.ticker = ticker;
        this.clock = clock;
        this.backoff = backoff;
        this.facts = facts;
        this.health = health;
        this.observer = observer == null ? new Observer() {} : observer;
        this.heartbeatInterval = Duration.ofSeconds(Math.max(1, state.info().heartbeatIntervalSeconds()));
    }

    public void start() {
        ticker.execute(() -> {
            if (current == State.IDLE) {
                connect();
            }
        });
    }

    /** Stops: closes the session (code 1000) and cancels every timer. Completes once done on the ticker thread. */
    public java.util.concurrent.CompletableFuture<Void> stop() {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        ticker.execute(() -> {
            if (connection != null) {
                connection.close(1000, "edge stopping");
            }
            cancelTimers();
            if (retryTimer != null) {
                retryTimer.cancel();
            }
            generation++;
            connection = null;
            setState(State.STOPPED);
            done.complete(null);
        });
        return done;
    }

    public State state() {
        return current;
    }

    private void connect() {
        if (current == State.STOPPED) {
            return;
        }
        setState(State.CONNECTING);
        long gen = ++generation;
        List<String> urls = state.info().sessionUrls();
        URI url = URI.create(urls.get(urlIndex % urls.size()));
        SSLContext tls;
        try {
            tls = Keys.mutualTls(state.keyPem(), state.certPem(), state.caPem());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot load the edge identity: " + e.getMessage());
            retry(gen);
            return;
        }
        transport
                .connect(url, tls, new Transport.Listener() {
                    @Override
                    public void onText(String text) {
                        ticker.execute(() -> received(gen, text));
                    }

                    @Override
                    public void onClosed(int code, String reason) {
                        ticker.execute(() -> lost(gen, "closed " + code + " " + reason));
                    }

                    @Override
                    public void onError(Throwable error) {
                        ticker.execute(() -> lost(gen, String.valueOf(error.getMessage())));
                    }
                })
                .whenComplete((conn, error) -> ticker.execute(() -> connected(gen, url, conn, error)));
    }

    private void connected(long gen, URI url, Transport.Connection conn, Throwable error) {
        if (gen != generation) {
            if (conn != null) {
                conn.close(1000, "superseded");
            }
            return;
        }
        if (error != null) {
            LOG.info("cannot open the session at " + url + ": " + rootMessage(error));
            retry(gen);
            return;
        }
        connection = conn;
        send(
                FrameType.HELLO,
                FrameCodec.newId(),
                new Payloads.Hello(
                        Limits.PROTOCOL_VERSION,
                        List.of("heartbeat", "renew_certificate", "disconnect", "lease"),
                        facts.get()));
        setState(State.HELLO_SENT);
        helloTimer = ticker.schedule(HELLO_TIMEOUT, () -> {
            if (gen == generation && current == State.HELLO_SENT) {
                drop(gen, "no welcome within " + HELLO_TIMEOUT.toSeconds() + " s");
            }
        });
    }

    private void received(long gen, String text) {
        if (gen != generation) {
            return;
        }
        FrameCodec.Decoded d = codec.decode(text);
        if (d instanceof FrameCodec.Decoded.Bad bad) {
            LOG.warning("ignoring a bad frame from the control plane: " + bad.code());
            return;
        }
        Frame f = ((FrameCodec.Decoded.Ok) d).frame();
        var type = FrameType.parse(f.type());
        if (type.isEmpty()) {
            send(FrameType.ERROR, f.id(), new Payloads.Error("frame_type_unknown", "unknown type " + f.type()));
            return;
        }
        try {
            switch (type.get()) {
                case WELCOME -> welcomed(gen, codec.payload(f, Payloads.Welcome.class));
                case COMMAND -> command(gen, f.id(), codec.payload(f, Payloads.Command.class));
                case RENEWED -> renewed(f.id(), codec.payload(f, Payloads.Renewed.class));
                case LEASES -> leases(gen, f.id(), codec.payload(f, Payloads.Leases.class));
                case ERROR -> {
                    var e = codec.payload(f, Payloads.Error.class);
                    LOG.warning("control plane error " + e.code() + ": " + e.message());
                    if (pendingLeaseId != null && pendingLeaseId.equals(f.id())) {
                        pendingLeaseId = null;
                        licensing.failed(e.code());
                        scheduleLease(gen);
                    }
                }
                default -> LOG.warning("ignoring unexpected frame " + f.type());
            }
        } catch (IllegalArgumentException e) {
            LOG.warning("ignoring a frame with a bad payload: " + e.getMessage());
        }
    }

    private void welcomed(long gen, Payloads.Welcome w) {
        if (helloTimer != null) {
            helloTimer.cancel();
        }
        attempt = 0;
        heartbeatInterval = Duration.ofSeconds(Math.max(1, w.heartbeatIntervalSeconds()));
        setState(State.ONLINE);
        beat(gen);
        if (licensing != null && !licensing.wants().isEmpty()) {
            requestLeases(gen);
        }
    }

    private void requestLeases(long gen) {
        if (gen != generation || current != State.ONLINE) {
            return;
        }
        pendingLeaseId = FrameCodec.newId();
        String id = pendingLeaseId;
        send(FrameType.LEASE, id, new Payloads.LeaseRequest(licensing.wants()));
        leaseTimer = ticker.schedule(LEASE_TIMEOUT, () -> {
            if (gen == generation && id.equals(pendingLeaseId)) {
                pendingLeaseId = null;
                licensing.failed("no answer within " + LEASE_TIMEOUT.toSeconds() + " s");
                scheduleLease(gen);
            }
        });
    }

    private void leases(long gen, String id, Payloads.Leases answer) {
        if (licensing == null || pendingLeaseId == null || !pendingLeaseId.equals(id)) {
            LOG.warning("ignoring leases that were not asked for");
            return;
        }
        pendingLeaseId = null;
        if (leaseTimer != null) {
            leaseTimer.cancel();
        }
        licensing.granted(answer);
        scheduleLease(gen);
    }

    private void scheduleLease(long gen) {
        if (leaseTimer != null) {
            leaseTimer.cancel();
        }
        Instant next = licensing.nextRequest();
        if (next == null) {
            return;
        }
        Duration wait = Duration.between(clock.instant(), next);
        leaseTimer = ticker.schedule(wait.isNegative() ? Duration.ZERO : wait, () -> requestLeases(gen));
    }

    private void beat(long gen) {
        if (gen != generation || current != State.ONLINE) {
            return;
        }
        Health h;
        try {
            h = health.get();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "health collection failed", e);
            h = new Health(
                    0, 0, 0, 0, 0, List.of(), 0, new Health.MonitorStatus(null, null, "UNKNOWN", e.getMessage()));
        }
        send(FrameType.HEARTBEAT, null, new Payloads.Heartbeat(h, licensing == null ? null : licensing.states()));
        if (renewalDue()) {
            renew();
        }
        heartbeatTimer = ticker.schedule(heartbeatInterval, () -> beat(gen));
    }

    /** Renewal is due at two thirds of the certificate's life. */
    boolean renewalDue() {
        if (pendingRenewId != null) {
            return false;
        }
        X509Certificate cert = Keys.certificates(state.certPem()).get(0);
        Instant from = cert.getNotBefore().toInstant();
        Instant to = cert.getNotAfter().toInstant();
        Instant due = from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
        return !clock.instant().isBefore(due);
    }

    private void renew() {
        pendingKey = Keys.newKeyPair();
        pendingRenewId = FrameCodec.newId();
        send(FrameType.RENEW, pendingRenewId, new Payloads.Renew(Keys.csr(pendingKey)));
    }

    private void renewed(String id, Payloads.Renewed r) {
        if (pendingRenewId == null || !pendingRenewId.equals(id)) {
            LOG.warning("ignoring a certificate that was not asked for");
            return;
        }
        X509Certificate cert = Keys.certificates(r.certificate()).get(0);
        if (!cert.getPublicKey().equals(pendingKey.getPublic())) {
            LOG.warning("ignoring a renewed certificate for another key");
            pendingRenewId = null;
            return;
        }
        state.saveRenewal(Keys.pkcs8(pendingKey.getPrivate()), r.certificate());
        pendingKey = null;
        pendingRenewId = null;
        LOG.info("certificate renewed, valid until " + cert.getNotAfter().toInstant());
        observer.certificateRenewed(cert);
    }

    private void command(long gen, String id, Payloads.Command c) {
        observer.commandReceived(c.command());
        switch (c.command()) {
            case Payloads.Command.RENEW_CERTIFICATE -> {
                send(FrameType.ACK, id, new Payloads.Ack(true, null));
                if (pendingRenewId == null) {
                    renew();
                }
            }
            case Payloads.Command.DISCONNECT -> {
                send(FrameType.ACK, id, new Payloads.Ack(true, null));
                drop(gen, "told to disconnect: " + c.reason());
            }
            default -> send(FrameType.ACK, id, new Payloads.Ack(false, "unknown command " + c.command()));
        }
    }

    private void lost(long gen, String why) {
        if (gen != generation || current == State.STOPPED) {
            return;
        }
        LOG.info("session lost: " + why);
        retry(gen);
    }

    private void drop(long gen, String why) {
        if (connection != null) {
            connection.close(1000, why);
        }
        lost(gen, why);
    }

    private void retry(long gen) {
        if (gen != generation || current == State.STOPPED) {
            return;
        }
        generation++;
        cancelTimers();
        connection = null;
        pendingRenewId = null;
        pendingKey = null;
        urlIndex++;
        Duration wait = backoff.delay(attempt++);
        setState(State.BACKOFF);
        LOG.info("reconnecting in " + wait.toMillis() + " ms");
        retryTimer = ticker.schedule(wait, this::connect);
    }

    private void cancelTimers() {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel();
        }
        if (helloTimer != null) {
            helloTimer.cancel();
        }
        if (leaseTimer != null) {
            leaseTimer.cancel();
        }
        pendingLeaseId = null;
    }

    private void send(FrameType type, String id, Object payload) {
        if (connection != null) {
            connection.send(codec.encode(type, id, payload)).exceptionally(e -> {
                LOG.fine("send failed: " + e.getMessage());
                return null;
            });
        }
    }

    private void setState(State s) {
        if (current != s) {
            current = s;
            observer.stateChanged(s);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
