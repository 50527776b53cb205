package io.overcast.edge.session;

import java.time.Duration;

/** Schedules work; real time in production, a hand-driven clock in tests. */
public interface Ticker {
    /** A scheduled task that may be cancelled. */
    interface Cancellable {
        void cancel();
    }

    Cancellable schedule(Duration delay, Runnable task);

    /** Runs the task soon, on the ticker's thread, so that all session state is touched by one thread. */
    default void execute(Runnable task) {
        schedule(Duration.ZERO, task);
    }
}
