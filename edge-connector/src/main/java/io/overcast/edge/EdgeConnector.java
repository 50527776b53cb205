package io.overcast.edge;

import io.overcast.edge.adapter.MonitorAdapter;
import io.overcast.edge.health.HostHealth;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.licensing.EdgeLicensing;
import io.overcast.edge.session.Backoff;
import io.overcast.edge.session.ExecutorTicker;
import io.overcast.edge.session.JdkWebSocketTransport;
import io.overcast.edge.session.SessionLoop;
import io.overcast.protocol.Payloads;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * The embeddable edge: give it an enrolled state directory and a monitor adapter, {@link #start()} it, and it keeps
 * its session to the control plane until {@link #close()}. The CLI's {@code run} is a thin wrapper around this.
 *
 * <pre>{@code
 * try (EdgeConnector edge = new EdgeConnector(Path.of("/var/lib/overcast"), adapter, List.of(Path.of("/")), null)) {
 *     edge.start();
 *     ...
 * }
 * }</pre>
 */
public final class EdgeConnector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeConnector.class.getName());
    private final ExecutorTicker ticker = new ExecutorTicker("overcast-edge");
    private final SessionLoop loop;
    private final EdgeState state;
    private final MonitorAdapter adapter;
    private final EdgeLicensing licensing;
    private List<Payloads.LicenseState> published;

    /**
     * What the monitor runs and wants licensed ({@code wants}, product and edition), how long it stays licensed
     * after its lease lapsed while the cloud is away ({@code grace}), and how far its clock may fall behind the
     * last trusted time before it counts as rolled back ({@code clockTolerance}).
     */
    public record LicensingOptions(List<Payloads.Want> wants, Duration grace, Duration clockTolerance) {
        public static final Duration DEFAULT_GRACE = Duration.ofHours(72);
        public static final Duration DEFAULT_CLOCK_TOLERANCE = Duration.ofMinutes(10);

        public static LicensingOptions none() {
            return new LicensingOptions(List.of(), DEFAULT_GRACE, DEFAULT_CLOCK_TOLERANCE);
        }
    }

    /** How often the license state is re-evaluated for the monitor while nothing else happens. */
    static final Duration PUBLISH_EVERY = Duration.ofSeconds(15);

    public EdgeConnector(Path stateDir, MonitorAdapter adapter, List<Path> disks, SessionLoop.Observer observer) {
        this(stateDir, adapter, disks, observer, LicensingOptions.none());
    }

    public EdgeConnector(
            Path stateDir,
            MonitorAdapter adapter,
            List<Path> disks,
            SessionLoop.Observer observer,
            LicensingOptions licensingOptions) {
        this.state = new EdgeState(stateDir);
        this.adapter = adapter;
        if (!state.enrolled()) {
            throw new IllegalStateException(stateDir + " holds no enrolled identity: run `enroll` first");
        }
        this.licensing = licensingOptions.wants().isEmpty()
                ? null
                : new EdgeLicensing(
                        licensingOptions.wants(),
                        stateDir,
                        java.util.UUID.fromString(state.info().instanceId()),
                        adapter.facts().systemId(),
                        Clock.systemUTC(),
                        licensingOptions.grace(),
                        licensingOptions.clockTolerance());
        HostHealth host = HostHealth.linux(disks);
        this.loop = new SessionLoop(
                state,
                new JdkWebSocketTransport(),
                ticker,
                Clock.systemUTC(),
                Backoff.standard(new SecureRandom()),
                adapter::facts,
                () -> host.sample(adapter.status()),
                observer,
                licensing == null ? null : new Publishing());
    }

    public void start() {
        loop.start();
        if (licensing != null) {
            ticker.execute(this::publishPeriodically);
        }
    }

    /** The license state as the monitor was last told it (null before the first publish or without licensing). */
    public List<Payloads.LicenseState> licenseState() {
        return published;
    }

    /** Publishes now, and again at the next change of state (a lease lapsing, a grace ending) or in 15 s. */
    private void publishPeriodically() {
        publish();
        if (publishTimer != null) {
            publishTimer.cancel();
        }
        Duration wait = PUBLISH_EVERY;
        java.time.Instant now = java.time.Instant.now();
        for (Payloads.LicenseState s : published == null ? List.<Payloads.LicenseState>of() : published) {
            if (s.until() != null) {
                Duration left = Duration.between(now, java.time.Instant.parse(s.until()));
                if (!left.isNegative() && left.compareTo(wait) < 0) {
                    wait = left.plusMillis(20);
                }
            }
        }
        publishTimer = ticker.schedule(wait, this::publishPeriodically);
    }

    private io.overcast.edge.session.Ticker.Cancellable publishTimer;

    /** Tells the adapter when the state changed (runs on the ticker thread, as everything licensing does). */
    private void publish() {
        List<Payloads.LicenseState> now = licensing.states();
        if (!now.equals(published)) {
            try {
                adapter.licensesChanged(now);
                boolean news = published == null || !summary(published).equals(summary(now));
                published = now;
                if (news) {
                    LOG.info("license state: "
                            + now.stream()
                                    .map(s -> s.product() + ":" + s.edition() + "=" + s.state()
                                            + (s.problem() == null ? "" : " (" + s.problem() + ")"))
                                    .toList());
                }
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warning("cannot publish the license state to the monitor: " + e.getMessage());
            }
        }
    }

    /** The states without their dates: what is worth a log line. */
    private static List<String> summary(List<Payloads.LicenseState> states) {
        return states.stream().map(s -> s.product() + s.state() + s.problem()).toList();
    }

    /** Publishes to the monitor as soon as an answer changed something. */
    private final class Publishing implements SessionLoop.Licensing {
        @Override
        public List<Payloads.Want> wants() {
            return licensing.wants();
        }

        @Override
        public void granted(Payloads.Leases leases) {
            licensing.granted(leases);
            publishPeriodically();
        }

        @Override
        public void failed(String why) {
            licensing.failed(why);
        }

        @Override
        public java.time.Instant nextRequest() {
            return licensing.nextRequest();
        }

        @Override
        public List<Payloads.LicenseState> states() {
            return licensing.states();
        }
    }

    public SessionLoop.State state() {
        return loop.state();
    }

    public EdgeState.Info identity() {
        return state.info();
    }

    @Override
    public void close() {
        try {
            loop.stop().get(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // closing anyway
        }
        ticker.close();
    }
}
