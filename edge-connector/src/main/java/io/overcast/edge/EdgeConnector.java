package io.overcast.edge;

import io.overcast.edge.adapter.MonitorAdapter;
import io.overcast.edge.health.HostHealth;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.session.Backoff;
import io.overcast.edge.session.ExecutorTicker;
import io.overcast.edge.session.JdkWebSocketTransport;
import io.overcast.edge.session.SessionLoop;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

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
    private final ExecutorTicker ticker = new ExecutorTicker("overcast-edge");
    private final SessionLoop loop;
    private final EdgeState state;

    public EdgeConnector(Path stateDir, MonitorAdapter adapter, List<Path> disks, SessionLoop.Observer observer) {
        this.state = new EdgeState(stateDir);
        if (!state.enrolled()) {
            throw new IllegalStateException(stateDir + " holds no enrolled identity: run `enroll` first");
        }
        HostHealth host = HostHealth.linux(disks);
        this.loop = new SessionLoop(
                state,
                new JdkWebSocketTransport(),
                ticker,
                Clock.systemUTC(),
                Backoff.standard(new SecureRandom()),
                adapter::facts,
                () -> host.sample(adapter.status()),
                observer);
    }

    public void start() {
        loop.start();
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
