package io.overcast.edge.adapter;

import io.overcast.protocol.Facts;
import io.overcast.protocol.Health;

/**
 * How the edge talks to the monitor beside it. Adapters never throw out of {@link #status()}: a monitor that
 * cannot be reached is a status (DOWN, UNKNOWN), not an error.
 */
public interface MonitorAdapter {
    /** What the monitor says about itself, used for enrolment and the session hello. */
    Facts facts();

    /** The monitor's current status, sampled once per heartbeat. */
    Health.MonitorStatus status();

    /**
     * The edge's license state for the monitor's products changed (or is re-published after a restart). Adapters
     * hand it to the monitor; the bundled ones write a {@link LicenseStateFile} when given one.
     */
    default void licensesChanged(java.util.List<io.overcast.protocol.Payloads.LicenseState> states)
            throws java.io.IOException {}
}
