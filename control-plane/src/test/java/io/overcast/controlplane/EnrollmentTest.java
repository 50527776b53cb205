package io.overcast.controlplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Enroller;
import io.overcast.edge.identity.Keys;
import io.overcast.protocol.EnrollmentTokenFormat;
import io.overcast.protocol.Facts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class EnrollmentTest {
    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Inject
    AgroalDataSource ds;

    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "enrol");
    }

    private static Map<String, Object> body(String token, String csr, String systemId) {
        Map<String, Object> b = new HashMap<>();
        b.put("token", token);
        b.put("csr", csr);
        b.put("facts", Map.of("hostname", "probe", "product", "ntopng", "version", "6.4", "systemId", systemId));
        return b;
    }

    private io.restassured.response.ValidatableResponse enroll(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/edge/v1/enroll")
                .then();
    }

    @Test
    void anEdgeEnrolsOverPinnedTlsAndKeepsItsKeyToItself() throws Exception {
        String token = Api.enrollmentToken(owner, tenant, 1);
        Path dir = Files.createTempDirectory("edge");
        var info = new Enroller()
                .enroll(
                        URI.create(https.toString()),
                        token,
                        new Facts("probe", "ntopng", "6.4", "sys-a"),
                        "paris-1",
                        false,
                        new EdgeState(dir));
        assertEquals(tenant.toString(), info.tenantId());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("key.pem"))));
        var cert = Keys.certificates(Files.readString(dir.resolve("cert.pem"))).get(0);
        String san =
                (String) cert.getSubjectAlternativeNames().iterator().next().get(1);
        assertEquals("spiffe://overcast.local/tenant/" + tenant + "/instance/" + info.instanceId(), san);
        assertTrue(info.sessionUrls().get(0).startsWith("wss://"));
        long days = (cert.getNotAfter().getTime() - cert.getNotBefore().getTime()) / 86_400_000L;
        assertEquals(30, days);
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/instances/" + info.instanceId())
                .then()
                .statusCode(200)
                .body("name", equalTo("paris-1"))
                .body("status", equalTo("PENDING"))
                .body("tags[0]", equalTo("site:a"));
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/enrollment-tokens")
                .then()
                .body("[0].uses", equalTo(1))
                .body("[0].state", equalTo("USED_UP"));
    }

    @Test
    void anEdgeRefusesAServerWhoseCaDoesNotMatchTheToken() throws Exception {
        String token = Api.enrollmentToken(owner, tenant, 1);
        var t = EnrollmentTokenFormat.parse(token).orElseThrow();
        String forged = new EnrollmentTokenFormat(t.prefix(), t.secret(), "A".repeat(43)).render();
        Path dir = Files.createTempDirectory("edge");
        assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> new Enroller()
                .enroll(
                        URI.create(https.toString()),
                        forged,
                        new Facts("p", "ntopng", "1", "sys-x"),
                        null,
                        false,
                        new EdgeState(dir)));
        assertTrue(Files.notExists(dir.resolve("key.pem")), "nothing saved");
    }

    @Test
    void badTokensAre401WithTheReasonAndChangeNothing() throws Exception {
        Api.error(enroll(body("garbage", Csrs.good(), "s1")), 401, "token_malformed");
        String token = Api.enrollmentToken(owner, tenant, 1);
        var t = EnrollmentTokenFormat.parse(token).orElseThrow();
        String wrongSecret = new EnrollmentTokenFormat(t.prefix(), "B".repeat(43), t.caFingerprint()).render();
        Api.error(enroll(body(wrongSecret, Csrs.good(), "s1")), 401, "token_invalid");

        String expired = Api.enrollmentToken(owner, tenant, 5);
        sql("UPDATE enrollment_tokens SET expires_at = now() - interval '1 second' WHERE prefix = '"
                + EnrollmentTokenFormat.parse(expired).orElseThrow().prefix() + "'");
        Api.error(enroll(body(expired, Csrs.good(), "s2")), 401, "token_expired");

        String revoked = Api.enrollmentToken(owner, tenant, 5);
        String revokedId = Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/enrollment-tokens")
                .then()
                .extract()
                .path("find { it.prefix == '"
                        + EnrollmentTokenFormat.parse(revoked).orElseThrow().prefix() + "' }.id");
        Api.as(owner)
                .delete("/api/v1/tenants/" + tenant + "/enrollment-tokens/" + revokedId)
                .then()
                .statusCode(200)
                .body("state", equalTo("REVOKED"));
        Api.error(enroll(body(revoked, Csrs.good(), "s3")), 401, "token_revoked");

        String once = Api.enrollmentToken(owner, tenant, 1);
        enroll(body(once, Csrs.good(), "s4")).statusCode(200);
        Api.error(enroll(body(once, Csrs.good(), "s5")), 401, "token_used_up");
        Api.as(owner).get("/api/v1/tenants/" + tenant + "/instances").then().body("total", equalTo(1));
    }

    @Test
    void badCsrsAre400AndDoNotSpendTheToken() throws Exception {
        String token = Api.enrollmentToken(owner, tenant, 1);
        Api.error(
                enroll(body(
                        token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "s1")),
                400,
                "csr_malformed");
        Api.error(enroll(body(token, Csrs.badSignature(), "s1")), 400, "csr_signature_invalid");
        Api.error(enroll(body(token, Csrs.rsa(), "s1")), 400, "csr_key_type_unsupported");
        Api.error(
                enroll(body(token, Csrs.withSubject("CN=" + UUID.randomUUID()), "s1")),
                400,
                "csr_identity_not_allowed");
        Api.error(
                enroll(body(token, Csrs.withSan("spiffe://overcast.local/tenant/x/instance/y"), "s1")),
                400,
                "csr_identity_not_allowed");
        var badFacts = body(token, Csrs.good(), "s1");
        badFacts.put("facts", Map.of("hostname", "h", "product", "toaster", "systemId", "s1"));
        Api.error(enroll(badFacts), 400, "invalid_facts");
        // The token's single use is still there.
        enroll(body(token, Csrs.good(), "s1"))
                .statusCode(200)
                .body("certificate", startsWith("-----BEGIN CERTIFICATE"));
    }

    @Test
    void twoEnrolmentsRacingForTheLastUseHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String token = Api.enrollmentToken(owner, tenant, 1);
            List<Callable<Integer>> racers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String sys = "race-" + round + "-" + i;
                racers.add(() -> enroll(body(token, Csrs.good(), sys)).extract().statusCode());
            }
            var pool = Executors.newFixedThreadPool(4);
            List<Integer> codes = new ArrayList<>();
            for (var f : pool.invokeAll(racers)) {
                codes.add(f.get());
            }
            pool.shutdown();
            assertEquals(1, codes.stream().filter(c -> c == 200).count(), "one winner: " + codes);
            assertEquals(3, codes.stream().filter(c -> c == 401).count(), "three losers: " + codes);
        }
    }

    @Test
    void reEnrollingASystemIdIsAnExplicitAuditedReplacement() throws Exception {
        String token = Api.enrollmentToken(owner, tenant, 3);
        String first = enroll(body(token, Csrs.good(), "same-host"))
                .statusCode(200)
                .extract()
                .path("instanceId");
        Api.error(enroll(body(token, Csrs.good(), "same-host")), 409, "instance_already_enrolled");
        var replace = body(token, Csrs.good(), "same-host");
        replace.put("replace", true);
        String second = enroll(replace).statusCode(200).extract().path("instanceId");
        assertEquals(first, second, "the instance keeps its id");
        Api.as(owner)
                .queryParam("tenantId", tenant.toString())
                .queryParam("action", "instance.replaced")
                .get("/api/v1/audit")
                .then()
                .body("size()", equalTo(1))
                .body("[0].targetId", equalTo(first));
        // The conflict rolled back: only two uses were spent.
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/enrollment-tokens")
                .then()
                .body("[0].uses", equalTo(2));
    }

    @Test
    void tokenInputIsValidated() {
        var path = "/api/v1/tenants/" + tenant + "/enrollment-tokens";
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x", "expiresInSeconds", 5))
                        .post(path)
                        .then(),
                400,
                "invalid_expiry");
        Api.error(
                Api.as(owner).body(Map.of("name", "x", "maxUses", 0)).post(path).then(), 400, "invalid_max_uses");
        Api.error(Api.as(owner).body(Map.of("name", " ")).post(path).then(), 400, "invalid_name");
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x", "tags", List.of("no spaces allowed")))
                        .post(path)
                        .then(),
                400,
                "invalid_tags");
        Api.as(owner).get(path).then().body("size()", equalTo(0));
    }

    private void sql(String statement) throws Exception {
        try (var c = ds.getConnection();
                var s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
