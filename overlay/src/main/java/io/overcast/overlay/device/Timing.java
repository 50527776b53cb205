package io.overcast.overlay.device;

import java.time.Duration;

/**
 * WireGuard's protocol constants (paper section 6.1, wireguard-go's constants.go). The defaults are the protocol's;
 * tests shorten REKEY_AFTER_TIME to see a rekey happen (overlay.jar reads OVERLAY_REKEY_AFTER_TIME for that).
 */
public record Timing(
        Duration rekeyAfterTime,
        Duration rejectAfterTime,
        Duration rekeyAttemptTime,
        Duration rekeyTimeout,
        Duration keepaliveTimeout,
        Duration cookieRefreshTime,
        Duration handshakeInitiationRate,
        long rekeyAfterMessages,
        long rejectAfterMessages) {

    /** REKEY_TIMEOUT's jitter: up to a third of a second, so peers do not retry in lockstep. */
    public static final long REKEY_TIMEOUT_JITTER_MAX_NANOS = 334_000_000L;

    public static Timing standard() {
        return new Timing(
                Duration.ofSeconds(120),
                Duration.ofSeconds(180),
                Duration.ofSeconds(90),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(120),
                Duration.ofMillis(20),
                1L << 60,
                Long.MAX_VALUE - (1L << 13));
    }

    public Timing withRekeyAfterTime(Duration d) {
        if (d.compareTo(rejectAfterTime) >= 0 || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("REKEY_AFTER_TIME must be positive and below REJECT_AFTER_TIME");
        }
        return new Timing(
                d,
                rejectAfterTime,
                rekeyAttemptTime,
                rekeyTimeout,
                keepaliveTimeout,
                cookieRefreshTime,
                handshakeInitiationRate,
                rekeyAfterMessages,
                rejectAfterMessages);
    }

    public Timing withRekeyTimeout(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("REKEY_TIMEOUT must be positive");
        }
        return new Timing(
                rekeyAfterTime,
                rejectAfterTime,
                rekeyAttemptTime,
                d,
                keepaliveTimeout,
                cookieRefreshTime,
                handshakeInitiationRate,
                rekeyAfterMessages,
                rejectAfterMessages);
    }

    /** How many initiations are retried before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
    public int maxHandshakeAttempts() {
        return (int) (rekeyAttemptTime.toMillis() / rekeyTimeout.toMillis());
    }
}
