package io.overcast.controlplane.session;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import java.util.UUID;

/** One live edge session held by this replica. Mutable counters are touched by the connection's own thread. */
public final class EdgeSession {
    final UUID sessionId = UUID.randomUUID();
    final UUID instanceId;
    final UUID tenantId;
    final UUID orgId;
    final String certSerial;
    final WebSocketConnection connection;
    volatile long lastFrameNanos;
    volatile boolean welcomed;
    private long windowStartNanos;
    private int framesInWindow;
    private long badWindowStartNanos;
    private int badInWindow;

    EdgeSession(
            UUID instanceId, UUID tenantId, UUID orgId, String certSerial, WebSocketConnection connection, long now) {
        this.instanceId = instanceId;
        this.tenantId = tenantId;
        this.orgId = orgId;
        this.certSerial = certSerial;
        this.connection = connection;
        this.lastFrameNanos = now;
        this.windowStartNanos = now;
        this.badWindowStartNanos = now;
    }

    /** Counts a frame; false when the edge sends more than {@code perSecond} frames in a second (a flood). */
    boolean admitFrame(long now, int perSecond) {
        if (now - windowStartNanos >= 1_000_000_000L) {
            windowStartNanos = now;
            framesInWindow = 0;
        }
        return ++framesInWindow <= perSecond;
    }

    /** Counts a bad frame; false when more than {@code perMinute} arrived within a minute. */
    boolean admitBadFrame(long now, int perMinute) {
        if (now - badWindowStartNanos >= 60_000_000_000L) {
            badWindowStartNanos = now;
            badInWindow = 0;
        }
        return ++badInWindow <= perMinute;
    }

    void close(int code, String reason) {
        if (connection.isOpen()) {
            connection.close(new CloseReason(code, reason)).subscribe().with(x -> {}, e -> {});
        }
    }

    public UUID instanceId() {
        return instanceId;
    }

    public UUID sessionId() {
        return sessionId;
    }

    public UUID tenantId() {
        return tenantId;
    }
}
