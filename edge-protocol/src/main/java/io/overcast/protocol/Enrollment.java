package io.overcast.protocol;

import java.util.List;

/** Bodies of {@code POST /edge/v1/enroll}. */
public final class Enrollment {
    private Enrollment() {}

    /**
     * @param token the enrolment token as shown once to the operator
     * @param csr PEM PKCS#10 request; its subject must be empty, the control plane names the instance
     * @param facts what the edge says about itself
     * @param name an optional display name
     * @param replace true to replace an instance already enrolled with the same system id
     */
    public record Request(String token, String csr, Facts facts, String name, boolean replace) {}

    /**
     * @param certificate PEM certificate of the instance
     * @param caChain PEM CA certificates, the trust anchor for the session
     * @param sessionUrls where to open the session, in order of preference
     */
    public record Response(
            String instanceId,
            String tenantId,
            String certificate,
            String caChain,
            List<String> sessionUrls,
            int heartbeatIntervalSeconds) {}
}
