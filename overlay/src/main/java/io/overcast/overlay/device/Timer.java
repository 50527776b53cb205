package io.overcast.overlay.device;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A re-armable one-shot timer like the kernel's timer_list that wireguard-go copies, made cheap for the data path:
 * arming stores a deadline (a volatile write, plus a schedule only when it must fire sooner than already planned)
 * and cancelling clears it. When the scheduled task runs it checks the deadline and re-plans if it moved.
 */
final class Timer {
    private final ScheduledExecutorService executor;
    private final Runnable action;
    /** System.nanoTime() to fire at; 0 when not pending. */
    private volatile long deadline;

    private boolean scheduled;
    private long scheduledFor;

    Timer(ScheduledExecutorService executor, Runnable action) {
        this.executor = executor;
        this.action = action;
    }

    void mod(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        deadline = at == 0 ? 1 : at;
        synchronized (this) {
            if (!scheduled || at - scheduledFor < 0) {
                plan(at, delayNanos);
            }
        }
    }

    void del() {
        deadline = 0;
    }

    boolean pending() {
        return deadline != 0;
    }

    private void plan(long at, long delayNanos) {
        if (executor.isShutdown()) {
            return;
        }
        scheduled = true;
        scheduledFor = at;
        executor.schedule(this::fire, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        synchronized (this) {
            long at = deadline;
            long now = System.nanoTime();
            if (scheduledFor - now > 0) {
                return; // a sooner plan replaced this one; its own task is queued
            }
            scheduled = false;
            if (at == 0) {
                return;
            }
            if (at - now > 0) {
                plan(at, at - now);
                return;
            }
            deadline = 0;
        }
        action.run();
    }
}
