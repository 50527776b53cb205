package io.overcast.edge.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.protocol.Facts;
import io.overcast.protocol.Health;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * ntopng through its REST API v2, with token authentication ({@code Authorization: Token <t>}). Responses are
 * {@code {"rc": 0, "rc_str": "OK", "rsp": ...}}; a failed login is a redirect to the login page, not a 401, so a
 * redirect reads as "authentication failed". Endpoints used: {@code /lua/rest/v2/get/ntopng/interfaces.lua}
 * (liveness and the interfaces) and {@code /lua/rest/v2/get/interface/data.lua?ifid=N} (version and load).
 */
public final class NtopngAdapter implements MonitorAdapter {
    static final String INTERFACES = "/lua/rest/v2/get/ntopng/interfaces.lua";
    static final String INTERFACE_DATA = "/lua/rest/v2/get/interface/data.lua?ifid=";

    private final URI base;
    private final String token;
    private final String systemId;
    private final String hostname;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public NtopngAdapter(URI base, String token, String systemId, String hostname) {
        this.base = base;
        this.token = token;
        this.systemId = systemId == null ? GenericAdapter.machineId() : systemId;
        this.hostname = hostname == null ? GenericAdapter.localHostname() : hostname;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(3))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private LicenseStateFile licenseFile;

    /** Publishes the license state to this file (see {@link LicenseStateFile}). */
    public NtopngAdapter withLicenseStateFile(LicenseStateFile file) {
        this.licenseFile = file;
        return this;
    }

    @Override
    public void licensesChanged(java.util.List<io.overcast.protocol.Payloads.LicenseState> states) throws IOException {
        if (licenseFile != null) {
            licenseFile.write(states, java.time.Instant.now());
        }
    }

    @Override
    public Facts facts() {
        return new Facts(hostname, "ntopng", version().orElse(null), systemId);
    }

    @Override
    public Health.MonitorStatus status() {
        try {
            JsonNode ifaces = call(INTERFACES);
            if (!ifaces.isArray() || ifaces.isEmpty()) {
                return new Health.MonitorStatus("ntopng", null, "DEGRADED", "ntopng monitors no interface");
            }
            return new Health.MonitorStatus(
                    "ntopng", version().orElse(null), "RUNNING", ifaces.size() + " interface(s)");
        } catch (AuthFailed e) {
            return new Health.MonitorStatus("ntopng", null, "DEGRADED", "ntopng refused the API token");
        } catch (IOException e) {
            return new Health.MonitorStatus("ntopng", null, "DOWN", "ntopng is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health.MonitorStatus("ntopng", null, "UNKNOWN", "interrupted");
        }
    }

    private Optional<String> version() {
        try {
            JsonNode ifaces = call(INTERFACES);
            if (!ifaces.isArray() || ifaces.isEmpty()) {
                return Optional.empty();
            }
            JsonNode data = call(INTERFACE_DATA + ifaces.get(0).path("ifid").asInt());
            String v = data.path("version").asText(null);
            return Optional.ofNullable(v);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** ntopng answered with a redirect to its login page: the token is wrong. */
    static final class AuthFailed extends IOException {
        AuthFailed() {
            super("authentication failed");
        }
    }

    private JsonNode call(String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Token " + token)
                .GET()
                .build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 == 3 || resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw new AuthFailed();
        }
        if (resp.statusCode() != 200) {
            throw new IOException("HTTP " + resp.statusCode() + " from " + path);
        }
        JsonNode root = json.readTree(resp.body());
        if (root.path("rc").asInt(-1) != 0) {
            throw new IOException("ntopng answered rc=" + root.path("rc").asText() + " "
                    + root.path("rc_str").asText());
        }
        return root.path("rsp");
    }
}
