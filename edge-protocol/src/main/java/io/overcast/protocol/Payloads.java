package io.overcast.protocol;

import java.util.List;

/** Payload bodies of the session frames, one record per frame type. */
public final class Payloads {
    private Payloads() {}

    public record Hello(int protocol, List<String> capabilities, Facts facts) {}

    public record Welcome(
            int protocol,
            String instanceId,
            String tenantId,
            int heartbeatIntervalSeconds,
            List<String> capabilities) {}

    /**
     * Health, and the license state the edge currently reports to its monitor (null from edges that lease
     * nothing).
     */
    public record Heartbeat(Health health, List<LicenseState> licenses) {
        public Heartbeat(Health health) {
            this(health, null);
        }
    }

    /** A product at an edition the monitor runs. */
    public record Want(String product, String edition) {}

    /** At most {@link Limits#MAX_WANTS} products; the server answers with a {@link Leases} under the same id. */
    public record LeaseRequest(List<Want> wants) {}

    /**
     * For one wanted product: the signed lease (DAILY, POOLED) or license (PERMANENT, SUBSCRIPTION assigned to
     * this instance) in {@code document}, and when to ask again ({@code renewAfter}, ISO-8601); or a problem.
     */
    public record Grant(
            String product,
            String edition,
            String kind,
            String licenseId,
            String document,
            String renewAfter,
            Error problem) {}

    /**
     * The grants, the server's time (the edge's clock guard trusts it) and the issuer's public keys by key id
     * (base64 SubjectPublicKeyInfo), which the edge keeps to verify its documents offline.
     */
    public record Leases(String serverTime, java.util.Map<String, String> keys, List<Grant> grants) {}

    /** What the edge tells its monitor about one product: LICENSED, GRACE or UNLICENSED, until when, and why. */
    public record LicenseState(
            String product, String edition, String state, String kind, String until, String problem) {}

    /** Commands the server sends; the edge answers each with an {@link Ack} under the same frame id. */
    public record Command(String command, String reason) {
        public static final String RENEW_CERTIFICATE = "renew_certificate";
        public static final String DISCONNECT = "disconnect";
    }

    public record Ack(boolean ok, String error) {}

    public record Renew(String csr) {}

    public record Renewed(String certificate, String caChain) {}

    /** An error with a stable machine code and a human message. */
    public record Error(String code, String message) {}
}
