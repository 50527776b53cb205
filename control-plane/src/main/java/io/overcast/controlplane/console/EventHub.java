package io.overcast.controlplane.console;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Fans the database's overcast_events notifications (triggers in V2__console_events.sql, delivered on commit to
 * every replica through ClusterBus's LISTEN connection) out to this replica's console streams.
 */
@ApplicationScoped
public class EventHub {
    private static final Logger LOG = Logger.getLogger(EventHub.class);

    /** What a browser learns: which object changed in which tenant, and its new status (or alert kind). */
    public record Event(UUID org, UUID tenant, String kind, String op, String id, String status) {}

    /** One emitter per open stream; an emitter drops what its reader has not asked for instead of failing. */
    private final Set<MultiEmitter<? super Event>> streams = ConcurrentHashMap.newKeySet();

    public void publish(String payload) {
        try {
            JsonObject j = new JsonObject(payload);
            Event e = new Event(
                    UUID.fromString(j.getString("org")),
                    UUID.fromString(j.getString("tenant")),
                    j.getString("kind"),
                    j.getString("op"),
                    String.valueOf(j.getValue("id")),
                    j.getString("status"));
            for (MultiEmitter<? super Event> stream : streams) {
                stream.emit(e);
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring a malformed event notification: %s", e.getMessage());
        }
    }

    public Multi<Event> stream() {
        return Multi.createFrom()
                .emitter(
                        emitter -> {
                            streams.add(emitter);
                            emitter.onTermination(() -> streams.remove(emitter));
                        },
                        BackPressureStrategy.DROP);
    }

    int openStreams() {
        return streams.size();
    }
}
