package io.overcast.edge.session;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A {@link Ticker} on one daemon thread: all session state is touched by that thread only. */
public final class ExecutorTicker implements Ticker, AutoCloseable {
    private final ScheduledExecutorService executor;

    public ExecutorTicker(String name) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        var f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
