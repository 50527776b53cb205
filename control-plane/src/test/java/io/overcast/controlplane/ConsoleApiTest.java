package io.overcast.controlplane;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints the console adds: the fleet summary, sorting, channel tests and the live event stream. */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class ConsoleApiTest {
    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "console-" + UUID.randomUUID());
    }

    private String enrol(String name, String systemId) {
        return RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "token", Api.enrollmentToken(owner, tenant, 1),
                        "csr", Csrs.good(),
                        "facts", Map.of("hostname", name, "product", "ntopng", "systemId", systemId)))
                .post("/edge/v1/enroll")
                .then()
                .statusCode(200)
                .extract()
                .path("instanceId");
    }

    @Test
    void summaryCountsEachTenantsInstancesAndAViewerOfOneTenantSeesOnlyIt() {
        enrol("b-probe", "s1");
        enrol("a-probe", "s2");
        Api.as(owner)
                .get("/api/v1/fleet/summary")
                .then()
                .statusCode(200)
                .body("find { it.tenantId == '" + tenant + "' }.total", equalTo(2))
                .body("find { it.tenantId == '" + tenant + "' }.pending", equalTo(2))
                .body("find { it.tenantId == '" + tenant + "' }.worst", nullValue());
        UUID other = Api.tenant(owner, "other-" + UUID.randomUUID());
        String viewer = Api.user(owner, other, "VIEWER");
        Api.as(viewer)
                .get("/api/v1/fleet/summary")
                .then()
                .statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].tenantId", equalTo(other.toString()));
    }

    @Test
    void instancesSortByAWhitelistedKeyAndRefuseOthers() {
        enrol("b-probe", "s3");
        enrol("a-probe", "s4");
        String path = "/api/v1/tenants/" + tenant + "/instances";
        Api.as(owner).queryParam("sort", "-name").get(path).then().body("items[0].name", equalTo("b-probe"));
        Api.as(owner).queryParam("sort", "name").get(path).then().body("items[0].name", equalTo("a-probe"));
        Api.error(
                Api.as(owner)
                        .queryParam("sort", "name; DROP TABLE instances")
                        .get(path)
                        .then(),
                400,
                "invalid_sort");
        Api.as(owner).get(path).then().body("total", equalTo(2));
    }

    @Test
    void alertsFilterByOpenOrAcknowledged() {
        String alerts = "/api/v1/tenants/" + tenant + "/alerts";
        Api.as(owner)
                .queryParam("open", true)
                .get(alerts)
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
        Api.error(Api.as(owner).queryParam("open", "perhaps").get(alerts).then(), 400, "invalid_open");
    }

    @Test
    void aChannelTestReportsTheFailureAndRecordsNothing() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String channels = "/api/v1/tenants/" + tenant + "/notification-channels";
        String id = Api.as(owner)
                .body(Map.of("name", "dead hook", "kind", "WEBHOOK", "target", "http://127.0.0.1:" + closedPort + "/x"))
                .post(channels)
                .then()
                .statusCode(201)
                .extract()
                .path("channel.id");
        Api.error(Api.as(owner).post(channels + "/" + id + "/test").then(), 502, "channel_test_failed");
        String mail = Api.as(owner)
                .body(Map.of("name", "noc", "kind", "EMAIL", "target", "noc@example.test"))
                .post(channels)
                .then()
                .statusCode(201)
                .extract()
                .path("channel.id");
        Api.as(owner)
                .post(channels + "/" + mail + "/test")
                .then()
                .statusCode(200)
                .body("delivered", equalTo(true));
        String viewer = Api.user(owner, tenant, "VIEWER");
        Api.as(viewer).post(channels + "/" + mail + "/test").then().statusCode(403);
        Api.error(
                Api.as(owner).post(channels + "/" + UUID.randomUUID() + "/test").then(), 404, "not_found");
    }

    @Test
    void theStreamSurvivesABurstOfChangesAndCarriesTheNextOne() throws Exception {
        var url = new java.net.URL(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/events");
        var conn = (java.net.HttpURLConnection) url.openConnection();
        conn.setRequestProperty("Authorization", "Bearer " + owner);
        conn.setReadTimeout(10_000);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream()));
                var db = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:5432/overcast_test", "postgres", "");
                var insert = db.prepareStatement("INSERT INTO instances (id, tenant_id, name, product, system_id,"
                        + " status) SELECT gen_random_uuid(), ?::uuid, 'bulk-' || n, 'ntopng', 'bulk-' || n,"
                        + " 'ONLINE' FROM generate_series(1, 5000) n")) {
            org.junit.jupiter.api.Assertions.assertTrue(in.readLine().contains("hello"));
            insert.setString(1, tenant.toString());
            insert.executeUpdate(); // 5,000 notifications at once
            String instance = enrol("after-burst", "s6");
            Api.as(owner)
                    .body(Map.of("name", "renamed-after-burst"))
                    .patch("/api/v1/tenants/" + tenant + "/instances/" + instance)
                    .then()
                    .statusCode(200);
            String line;
            int lines = 0;
            while ((line = in.readLine()) != null && !(line.contains(instance) && line.contains("\"update\""))) {
                lines++; // the burst (individually, or as resyncs when a reader falls behind), then our change
            }
            org.junit.jupiter.api.Assertions.assertNotNull(line, "the stream survived and carried the rename");
            org.junit.jupiter.api.Assertions.assertTrue(lines > 0);
        } finally {
            conn.disconnect();
        }
    }

    @Test
    void theEventStreamCarriesStatusChangesOfTheCallersTenantsOnly() throws Exception {
        String instance = enrol("live-probe", "s5");
        var url = new java.net.URL(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/events");
        var conn = (java.net.HttpURLConnection) url.openConnection();
        conn.setRequestProperty("Authorization", "Bearer " + owner);
        conn.setRequestProperty("Accept", "text/event-stream");
        conn.setReadTimeout(10_000);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream()))) {
            String first = in.readLine();
            org.junit.jupiter.api.Assertions.assertTrue(first.contains("hello"), first);
            Api.as(owner)
                    .post("/api/v1/tenants/" + tenant + "/instances/" + instance + "/revoke")
                    .then()
                    .statusCode(200);
            String line;
            while ((line = in.readLine()) != null && !line.contains(instance)) {
                // keep-alives and other tenants' events are skipped until ours arrives (or the read times out)
            }
            org.junit.jupiter.api.Assertions.assertNotNull(line, "the revocation reached the stream");
            org.junit.jupiter.api.Assertions.assertTrue(line.contains("\"status\":\"REVOKED\""), line);
        } finally {
            conn.disconnect();
        }
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/instances/" + instance)
                .then()
                .body("status", equalTo("REVOKED"));
    }
}
