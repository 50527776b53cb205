package io.overcast.controlplane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.agroal.api.AgroalDataSource;
import io.overcast.controlplane.notify.WebhookSignature;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alerts reach a real HTTP receiver (signature checked) and a real SMTP server; flapping does not storm. */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class AlertDeliveryTest {
    @Inject
    AgroalDataSource ds;

    private final ObjectMapper json = new ObjectMapper();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToGive = new AtomicInteger();
    private HttpServer receiver;
    private String secret;
    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String header = ex.getRequestHeaders().getFirst(WebhookSignature.HEADER);
            int status;
            if (failuresToGive.getAndDecrement() > 0) {
                status = 503;
            } else if (verify(header, body)) {
                received.add(json.readTree(body));
                status = 204;
            } else {
                status = 401;
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
        owner = Api.owner();
        tenant = Api.tenant(owner, "alerts");
        secret = Api.as(owner)
                .body(Map.of(
                        "name",
                        "ops hook",
                        "kind",
                        "WEBHOOK",
                        "target",
                        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))
                .post("/api/v1/tenants/" + tenant + "/notification-channels")
                .then()
                .statusCode(201)
                .extract()
                .path("secret");
        Api.as(owner)
                .body(Map.of("name", "ops mail", "kind", "EMAIL", "target", "noc@example.test"))
                .post("/api/v1/tenants/" + tenant + "/notification-channels")
                .then()
                .statusCode(201);
        SmtpResource.smtp.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void tearDown() {
        receiver.stop(0);
    }

    private boolean verify(String header, String body) {
        return WebhookSignature.verify(secret, header, body, System.currentTimeMillis() / 1000, 300);
    }

    private long latestAlertId() {
        return Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/alerts")
                .then()
                .extract()
                .<Integer>path("[0].id");
    }

    private io.restassured.response.ValidatableResponse deliveries(long alertId) {
        return Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/alerts/" + alertId + "/deliveries")
                .then();
    }

    private String enrolledInstance() {
        return RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "token", Api.enrollmentToken(owner, tenant, 1),
                        "csr", Csrs.good(),
                        "facts",
                                Map.of(
                                        "hostname",
                                        "edge-a",
                                        "product",
                                        "ntopng",
                                        "systemId",
                                        "s-" + UUID.randomUUID())))
                .post("/edge/v1/enroll")
                .then()
                .statusCode(200)
                .extract()
                .path("instanceId");
    }

    /** Drives the transition the way the session code does: the same SQL function, in a transaction. */
    private void transition(String instanceId, String kind) throws Exception {
        try (var c = ds.getConnection();
                var ps = c.prepareStatement(
                        "SELECT overcast_record_transitions(ARRAY[?::uuid], ?, interval '10 minutes', 6)")) {
            ps.setString(1, instanceId);
            ps.setString(2, kind);
            ps.execute();
        }
    }

    @Test
    void anOfflineAlertReachesTheWebhookSignedAndTheMailbox() throws Exception {
        String id = enrolledInstance();
        failuresToGive.set(1); // the first attempt fails: the worker retries
        transition(id, "OFFLINE");
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
        JsonNode hook = received.get(0);
        assertEquals("alert.offline", hook.get("type").asText());
        assertEquals(id, hook.at("/alert/instanceId").asText());
        assertEquals("edge-a", hook.at("/alert/instanceName").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> SmtpResource.smtp.getReceivedMessages().length == 1);
        MimeMessage mail = SmtpResource.smtp.getReceivedMessages()[0];
        assertEquals("[Overcast] OFFLINE: edge-a", mail.getSubject());
        assertEquals("noc@example.test", mail.getAllRecipients()[0].toString());
        long alertId = latestAlertId();
        deliveries(alertId)
                .body("size()", equalTo(2))
                .body("findAll { it.status == 'DELIVERED' }.size()", equalTo(2))
                .body("max { it.attempts }.attempts", equalTo(2));
        Api.as(owner)
                .post("/api/v1/tenants/" + tenant + "/alerts/" + alertId + "/acknowledge")
                .then()
                .statusCode(200)
                .body("acknowledgedAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aFlappingInstanceRaisesOneFlappingAlertNotAStorm() throws Exception {
        String id = enrolledInstance();
        for (int i = 0; i < 10; i++) {
            transition(id, i % 2 == 0 ? "OFFLINE" : "ONLINE");
        }
        var alerts = Api.as(owner)
                .queryParam("instanceId", id)
                .queryParam("size", 100)
                .get("/api/v1/tenants/" + tenant + "/alerts")
                .then()
                .extract()
                .jsonPath();
        List<String> kinds = alerts.getList("kind");
        List<Boolean> notifies = alerts.getList("notifies");
        assertEquals(11, kinds.size(), "ten transitions and one flapping alert: " + kinds);
        assertEquals(1, kinds.stream().filter("FLAPPING"::equals).count());
        long notifying = notifies.stream().filter(Boolean::booleanValue).count();
        assertEquals(6, notifying, "five transitions notify, then one flapping alert, then silence");
        // Every notifying alert goes to both channels, and nothing more.
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> SmtpResource.smtp.getReceivedMessages().length == 6);
        assertTrue(received.stream().anyMatch(n -> n.get("type").asText().equals("alert.flapping")));
    }

    @Test
    void aDisabledChannelGetsNothing() throws Exception {
        String path = "/api/v1/tenants/" + tenant + "/notification-channels";
        List<String> ids = Api.as(owner).get(path).then().extract().jsonPath().getList("id");
        for (String id : ids) {
            Api.as(owner)
                    .body(Map.of("enabled", false))
                    .patch(path + "/" + id)
                    .then()
                    .statusCode(200)
                    .body("enabled", equalTo(false));
        }
        String instance = enrolledInstance();
        transition(instance, "OFFLINE");
        long alertId = latestAlertId();
        deliveries(alertId).body("size()", equalTo(0));
        Api.as(owner).delete(path + "/" + ids.get(0)).then().statusCode(204);
        Api.as(owner).get(path).then().body("size()", equalTo(1));
    }

    @Test
    void channelInputIsValidated() {
        String path = "/api/v1/tenants/" + tenant + "/notification-channels";
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x", "kind", "PIGEON", "target", "x"))
                        .post(path)
                        .then(),
                400,
                "invalid_kind");
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x", "kind", "WEBHOOK", "target", "ftp://x"))
                        .post(path)
                        .then(),
                400,
                "invalid_target");
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x", "kind", "EMAIL", "target", "not-mail"))
                        .post(path)
                        .then(),
                400,
                "invalid_target");
        Api.as(owner).get(path).then().body("size()", equalTo(2));
        Api.as(owner).get(path).then().body("[0].secret", org.hamcrest.Matchers.nullValue());
    }
}
