package io.overcast.controlplane.console;

import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.auth.Caller;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * GET /api/v1/events: a server-sent event stream of fleet changes the caller may see (its organization, or only
 * its tenant), with a keep-alive every 15 s. The console reads it with fetch() so the bearer token travels in the
 * Authorization header, never in a URL.
 */
@Path("/api/v1/events")
@RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
public class EventResource {
    static final int BURST = 200;

    private final AccessControl access;
    private final EventHub hub;

    EventResource(AccessControl access, EventHub hub) {
        this.access = access;
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<EventHub.Event> events() {
        Caller c = access.caller();
        UUID org = c.orgId();
        UUID tenant = c.tenantId();
        Multi<EventHub.Event> mine =
                hub.stream().filter(e -> e.org().equals(org) && (tenant == null || tenant.equals(e.tenant())));
        Multi<EventHub.Event> keepAlive = Multi.createFrom()
                .ticks()
                .every(Duration.ofSeconds(15))
                .map(t -> new EventHub.Event(org, tenant, "keepalive", null, null, null));
        Multi<EventHub.Event> hello =
                Multi.createFrom().item(new EventHub.Event(org, tenant, "hello", null, null, null));
        return Multi.createBy()
                .concatenating()
                .streams(hello, Multi.createBy().merging().streams(mine, keepAlive));
    }
}
