package io.overcast.controlplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** The public API over HTTPS, trusting only the deployment CA (read from the database the processes share). */
final class ApiClient {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final URI base;
    private String token;

    ApiClient(String db, int httpsPort) throws Exception {
        String caPem;
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT public_pem FROM key_material WHERE name = 'ca'")) {
            rs.next();
            caPem = rs.getString(1);
        }
        SSLContext ctx = io.overcast.controlplane.TestTls.trustOnly(caPem);
        http = HttpClient.newBuilder()
                .sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        base = URI.create("https://localhost:" + httpsPort);
    }

    URI base() {
        return base;
    }

    ApiClient login(String email, String password) throws Exception {
        token = call("POST", "/api/v1/auth/login", Map.of("email", email, "password", password))
                .get("accessToken")
                .asText();
        return this;
    }

    JsonNode get(String path) throws Exception {
        return call("GET", path, null);
    }

    JsonNode post(String path, Object body) throws Exception {
        return call("POST", path, body);
    }

    private HttpRequest request(String method, String path, Object body) throws Exception {
        var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("Content-Type", "application/json");
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        return b.build();
    }

    JsonNode call(String method, String path, Object body) throws Exception {
        HttpResponse<String> r = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? json.createObjectNode() : json.readTree(r.body());
    }

    /** Posts a raw body with one extra header (a webhook as Stripe delivers it); answers the status. */
    int postRaw(String path, String body, String header, String value) throws Exception {
        var r = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The HTTP status a call answers, without failing on errors. */
    int status(String method, String path, Object body) throws Exception {
        return http.send(request(method, path, body), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** True when the control plane answers its health check. */
    static boolean healthy(int httpsPort, String db) {
        try {
            return new ApiClient(db, httpsPort)
                    .get("/q/health/ready")
                    .path("status")
                    .asText()
                    .equals("UP");
        } catch (Exception e) {
            return false;
        }
    }
}
