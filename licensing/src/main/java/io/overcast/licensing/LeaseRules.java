package io.overcast.licensing;

import java.time.Duration;
import java.time.Instant;

/**
 * What an edge tells its monitor about a leased product: licensed while the lease is valid, still licensed for a
 * grace period after it lapsed while the cloud is unreachable, then unlicensed; and unlicensed at once on a clock
 * that moved backwards (the guard refuses it).
 */
public final class LeaseRules {
    public enum State {
        LICENSED,
        GRACE,
        UNLICENSED
    }

    public record Status(State state, Instant until, Problem problem) {}

    private LeaseRules() {}

    public static Status evaluate(Lease lease, Instant now, boolean clockAccepted, Duration grace) {
        if (!clockAccepted) {
            return new Status(State.UNLICENSED, null, Problem.CLOCK_ROLLED_BACK);
        }
        if (lease == null) {
            return new Status(State.UNLICENSED, null, null);
        }
        if (now.isBefore(lease.issuedAt())) {
            return new Status(State.UNLICENSED, null, Problem.NOT_YET_VALID);
        }
        if (now.isBefore(lease.validUntil())) {
            return new Status(State.LICENSED, lease.validUntil(), null);
        }
        Instant graceEnd = lease.validUntil().plus(grace);
        if (now.isBefore(graceEnd)) {
            return new Status(State.GRACE, graceEnd, null);
        }
        return new Status(State.UNLICENSED, null, Problem.EXPIRED);
    }
}
