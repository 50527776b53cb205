package io.overcast.controlplane.enrollment;

import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.protocol.Enrollment;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** {@code POST /edge/v1/enroll}: the one edge call that needs no client certificate; the token authenticates. */
@Path("/edge/v1/enroll")
@PermitAll
public class EdgeEnrollResource {
    private final EnrollmentService service;
    private final OvercastConfig config;
    private final HttpServerRequest request;

    @ConfigProperty(name = "quarkus.http.ssl-port")
    int sslPort;

    EdgeEnrollResource(EnrollmentService service, OvercastConfig config, HttpServerRequest request) {
        this.service = service;
        this.config = config;
        this.request = request;
    }

    @POST
    public Uni<Enrollment.Response> enroll(Enrollment.Request body) {
        return service.enroll(body, request.remoteAddress().hostAddress(), sessionUrls());
    }

    private List<String> sessionUrls() {
        return config.edge().sessionUrls().orElseGet(() -> {
            // Same authority the edge used to reach us: it already knows that name resolves and verifies.
            String authority = request.authority() != null ? request.authority().toString() : null;
            if (authority == null) {
                authority = config.pki().serverNames().get(0) + ":" + sslPort;
            }
            return List.of("wss://" + authority + "/edge/v1/session");
        });
    }
}
