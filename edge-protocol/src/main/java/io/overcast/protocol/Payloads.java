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

    public record Heartbeat(Health health) {}

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
