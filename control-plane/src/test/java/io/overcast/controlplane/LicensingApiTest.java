package io.overcast.controlplane;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.licensing.Keys;
import io.overcast.licensing.License;
import io.overcast.licensing.Problem;
import io.overcast.licensing.Verification;
import io.overcast.licensing.Verifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plans, issuing, the signed file verified offline with the published key, assign, release, transfer. */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class LicensingApiTest {
    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "lic-" + UUID.randomUUID());
    }

    private String licenses() {
        return "/api/v1/tenants/" + tenant + "/licenses";
    }

    private Verifier publishedKeys() {
        var keys = RestAssured.get("/api/v1/licensing/keys")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        return new Verifier(Map.of(keys.getString("[0].keyId"), Keys.decode(keys.getString("[0].publicKey"))));
    }

    @Test
    void theDemoCatalogIsListed() {
        Api.as(owner)
                .get("/api/v1/plans")
                .then()
                .statusCode(200)
                .body("id", hasItem("ntopng-pro-permanent"))
                .body("find { it.id == 'agent-pool-50' }.seats", equalTo(50))
                .body("find { it.id == 'nprobe-pro-daily' }.kind", equalTo("DAILY"));
    }

    @Test
    void anIssuedLicenseDownloadsAsAFileThatVerifiesOfflineForItsSystemOnly() {
        String id = Api.as(owner)
                .body(Map.of("planId", "ntopng-pro-permanent", "systemId", "box-42"))
                .post(licenses())
                .then()
                .statusCode(201)
                .body("kind", equalTo("PERMANENT"))
                .body("systemId", equalTo("box-42"))
                .body("expiresAt", nullValue())
                .extract()
                .path("id");
        String file = Api.as(owner)
                .get(licenses() + "/" + id + "/file")
                .then()
                .statusCode(200)
                .header("Content-Disposition", org.hamcrest.Matchers.containsString(".jws"))
                .extract()
                .asString()
                .strip();
        Verifier offline = publishedKeys();
        License l = (License) assertInstanceOf(Verification.Valid.class, offline.license(file, "box-42", Instant.now()))
                .claims();
        assertEquals(UUID.fromString(id), l.id());
        assertEquals(tenant, l.tenantId());
        assertEquals(
                Problem.WRONG_SYSTEM,
                assertInstanceOf(Verification.Invalid.class, offline.license(file, "box-43", Instant.now()))
                        .problem());
        Api.as(owner).get(licenses()).then().body("size()", equalTo(1)).body("[0].id", equalTo(id));
        Api.as(owner)
                .queryParam("action", "license.issued")
                .get("/api/v1/audit")
                .then()
                .body("targetId", hasItem(id));
    }

    @Test
    void badIssuesAreRefusedAndChangeNothing() {
        Api.error(Api.as(owner).body(Map.of("planId", "nope")).post(licenses()).then(), 400, "invalid_plan");
        Api.error(Api.as(owner).body(Map.of()).post(licenses()).then(), 400, "invalid_plan");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "ntopng-pro-permanent"))
                        .post(licenses())
                        .then(),
                400,
                "invalid_system_id");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "agent-pool-50", "seats", 0))
                        .post(licenses())
                        .then(),
                400,
                "invalid_seats");
        String viewer = Api.user(owner, tenant, "VIEWER");
        Api.as(viewer)
                .body(Map.of("planId", "nprobe-pro-daily"))
                .post(licenses())
                .then()
                .statusCode(403);
        Api.as(owner).get(licenses()).then().body("size()", equalTo(0));
    }

    @Test
    void assignReleaseAndTransfer() {
        String instance = RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "token", Api.enrollmentToken(owner, tenant, 1),
                        "csr", Csrs.good(),
                        "facts", Map.of("hostname", "h", "product", "ntopng", "systemId", "box-7")))
                .post("/edge/v1/enroll")
                .then()
                .statusCode(200)
                .extract()
                .path("instanceId");
        String locked = Api.as(owner)
                .body(Map.of("planId", "ntopng-pro-permanent", "systemId", "box-8"))
                .post(licenses())
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Api.error(
                Api.as(owner)
                        .body(Map.of("instanceId", instance))
                        .post(licenses() + "/" + locked + "/assign")
                        .then(),
                409,
                "wrong_system");
        String daily = Api.as(owner)
                .body(Map.of("planId", "nprobe-pro-daily"))
                .post(licenses())
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Api.as(owner)
                .body(Map.of("instanceId", instance))
                .post(licenses() + "/" + daily + "/assign")
                .then()
                .statusCode(200)
                .body("instanceId", equalTo(instance));
        Api.error(
                Api.as(owner)
                        .body(Map.of("instanceId", UUID.randomUUID()))
                        .post(licenses() + "/" + daily + "/assign")
                        .then(),
                404,
                "not_found");
        Api.as(owner)
                .post(licenses() + "/" + daily + "/release")
                .then()
                .statusCode(200)
                .body("instanceId", nullValue());
        UUID other = Api.tenant(owner, "lic-other-" + UUID.randomUUID());
        Api.as(owner)
                .body(Map.of("tenantId", other))
                .post(licenses() + "/" + daily + "/transfer")
                .then()
                .statusCode(200)
                .body("tenantId", equalTo(other.toString()));
        Api.error(Api.as(owner).get(licenses() + "/" + daily).then(), 404, "not_found");
        String file = Api.as(owner)
                .get("/api/v1/tenants/" + other + "/licenses/" + daily + "/file")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .strip();
        License moved = (License)
                assertInstanceOf(Verification.Valid.class, publishedKeys().license(file, null, Instant.now()))
                        .claims();
        assertEquals(other, moved.tenantId(), "the transferred license is re-signed for its new tenant");
        assertTrue(moved.expiresAt() == null || moved.expiresAt().isAfter(Instant.now()));
    }
}
