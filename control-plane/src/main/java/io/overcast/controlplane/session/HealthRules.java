package io.overcast.controlplane.session;

import io.overcast.protocol.Health;
import java.util.Set;

/** What a heartbeat's health must look like; anything else is a bad frame. */
final class HealthRules {
    static final int MAX_DISKS = 32;
    static final Set<String> MONITOR_STATES = Set.of("RUNNING", "DEGRADED", "DOWN", "UNKNOWN");

    private HealthRules() {}

    static void check(Health h) {
        if (h == null) {
            throw new IllegalArgumentException("heartbeat has no health");
        }
        if (!Double.isFinite(h.load1())
                || h.load1() < 0
                || h.memUsedBytes() < 0
                || h.memTotalBytes() < 0
                || h.uptimeSeconds() < 0) {
            throw new IllegalArgumentException("health values must be finite and non-negative");
        }
        if (h.disks() != null && h.disks().size() > MAX_DISKS) {
            throw new IllegalArgumentException("at most " + MAX_DISKS + " disks");
        }
        if (h.monitor() != null
                && h.monitor().status() != null
                && !MONITOR_STATES.contains(h.monitor().status())) {
            throw new IllegalArgumentException("monitor.status must be one of " + MONITOR_STATES);
        }
    }
}
