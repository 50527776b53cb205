package io.overcast.edge.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.protocol.Enrollment;
import io.overcast.protocol.EnrollmentTokenFormat;
import io.overcast.protocol.Facts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Enrols this host: makes a key pair here, sends only the CSR with the token and the facts, pins the control
 * plane by the CA fingerprint in the token, and saves the identity in the state directory.
 */
public final class Enroller {
    /** An enrolment the control plane refused, with its stable code (token_expired, csr_invalid, ...). */
    public static final class EnrollmentRefused extends Exception {
        private final int status;
        private final String code;

        public EnrollmentRefused(int status, String code, String message) {
            super(code + ": " + message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final ObjectMapper json = new ObjectMapper();

    public EdgeState.Info enroll(
            URI server, String tokenString, Facts facts, String name, boolean replace, EdgeState state)
            throws EnrollmentRefused, IOException, InterruptedException {
        EnrollmentTokenFormat token = EnrollmentTokenFormat.parse(tokenString)
                .orElseThrow(() -> new IllegalArgumentException("the token does not look like an Overcast "
                        + "enrolment token (oct1.<prefix>.<secret>.<fingerprint>)"));
        KeyPair kp = Keys.newKeyPair();
        var body = new Enrollment.Request(token.render(), Keys.csr(kp), facts, name, replace);
        PinnedCaTrustManager pin = new PinnedCaTrustManager(token.caFingerprint());
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {pin}, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        HttpClient http = HttpClient.newBuilder()
                .sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest req = HttpRequest.newBuilder(server.resolve("/edge/v1/enroll"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            JsonNode err = safeTree(resp.body()).path("error");
            throw new EnrollmentRefused(
                    resp.statusCode(),
                    err.path("code").asText("http_" + resp.statusCode()),
                    err.path("message").asText(resp.body()));
        }
        var r = json.readValue(resp.body(), Enrollment.Response.class);
        // The CA we pinned must be the one the control plane hands us for the session.
        var caFromServer = Keys.certificates(r.caChain()).get(0);
        if (!EnrollmentTokenFormat.fingerprint(caFromServer).equals(token.caFingerprint())) {
            throw new EnrollmentRefused(200, "ca_mismatch", "the returned CA does not match the token's fingerprint");
        }
        var info = new EdgeState.Info(
                r.instanceId(), r.tenantId(), r.sessionUrls(), r.heartbeatIntervalSeconds(), facts.product(), name);
        state.saveIdentity(Keys.pkcs8(kp.getPrivate()), r.certificate(), r.caChain(), info);
        return info;
    }

    private JsonNode safeTree(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }
}
