package io.overcast.controlplane.pki;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/**
 * The deployment CA certificate, public by nature: operators add it to the trust store of browsers and API
 * clients; edges get it pinned through their enrolment token instead.
 */
@Path("/api/v1/pki/ca.pem")
@PermitAll
public class CaResource {
    private final PkiService pki;

    CaResource(PkiService pki) {
        this.pki = pki;
    }

    @GET
    @Produces("application/x-pem-file")
    public String ca() {
        return pki.ca().certificatePem();
    }
}
