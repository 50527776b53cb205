package io.overcast.controlplane.session;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions this replica holds, by instance. One session per instance: a newer one replaces an older one. */
@ApplicationScoped
public class SessionRegistry {
    /** Close codes the edge understands (4000-4999 are private use in RFC 6455). */
    public static final int CLOSE_REPLACED = 4001;

    public static final int CLOSE_HEARTBEAT_TIMEOUT = 4002;
    public static final int CLOSE_REVOKED = 4003;
    public static final int CLOSE_RESYNC = 4004;
    public static final int CLOSE_POLICY = 1008;

    private final Map<UUID, EdgeSession> byInstance = new ConcurrentHashMap<>();

    SessionRegistry(MeterRegistry metrics) {
        metrics.gaugeMapSize("overcast.sessions.connected", java.util.List.of(), byInstance);
    }

    void add(EdgeSession s) {
        EdgeSession old = byInstance.put(s.instanceId, s);
        if (old != null && old != s) {
            old.close(CLOSE_REPLACED, "replaced by a newer session");
        }
    }

    /** Removes the session if it is still the current one; true when it was. */
    boolean remove(EdgeSession s) {
        return byInstance.remove(s.instanceId, s);
    }

    public EdgeSession get(UUID instanceId) {
        return byInstance.get(instanceId);
    }

    public Collection<EdgeSession> all() {
        return byInstance.values();
    }

    public int size() {
        return byInstance.size();
    }

    public void closeInstance(UUID instanceId, int code, String reason) {
        EdgeSession s = byInstance.remove(instanceId);
        if (s != null) {
            s.close(code, reason);
        }
    }

    /** Sends a command to the instance if this replica holds its session; the edge answers with an ack frame. */
    public void command(UUID instanceId, String command) {
        EdgeSession s = byInstance.get(instanceId);
        if (s != null) {
            EdgeSessionEndpoint.command(s, command, "requested through the API")
                    .subscribe()
                    .with(id -> {}, e -> {});
        }
    }

    /** The instance opened a session elsewhere: close ours if it is an older one. */
    public void closeOlder(UUID instanceId, UUID newest) {
        EdgeSession s = byInstance.get(instanceId);
        if (s != null && !s.sessionId.equals(newest) && byInstance.remove(instanceId, s)) {
            s.close(CLOSE_REPLACED, "replaced by a newer session");
        }
    }
}
