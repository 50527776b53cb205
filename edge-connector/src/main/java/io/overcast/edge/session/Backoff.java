package io.overcast.edge.session;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (the AWS architecture blog's "full jitter"): the n-th retry waits a
 * uniformly random time in [0, min(cap, base * 2^n)], so a thousand edges that lost the same control plane do not
 * come back in lockstep.
 */
public final class Backoff {
    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    public static Backoff standard(RandomGenerator random) {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), random);
    }

    /** The ceiling of the attempt-th wait (attempt 0 is the first retry). */
    public Duration ceiling(int attempt) {
        long capMs = cap.toMillis();
        long ceiling = attempt >= 31 ? capMs : Math.min(capMs, base.toMillis() * (1L << attempt));
        return Duration.ofMillis(ceiling);
    }

    public Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
    }
}
