package io.overcast.controlplane;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fleet API's own behaviour: rename and tag, filters and pages, decommission, and its input checks. */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class FleetApiTest {
    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "fleet");
    }

    private String enrol(String product, String systemId) {
        return RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "token", Api.enrollmentToken(owner, tenant, 1),
                        "csr", Csrs.good(),
                        "facts", Map.of("hostname", "h-" + systemId, "product", product, "systemId", systemId)))
                .post("/edge/v1/enroll")
                .then()
                .statusCode(200)
                .extract()
                .path("instanceId");
    }

    private String path() {
        return "/api/v1/tenants/" + tenant + "/instances";
    }

    @Test
    void renameTagFilterAndPage() {
        String a = enrol("ntopng", "fa");
        enrol("nprobe", "fb");
        enrol("ntap", "fc");
        Api.as(owner)
                .body(Map.of("name", "core-router-tap", "tags", List.of("site:lyon", "tier:core")))
                .patch(path() + "/" + a)
                .then()
                .statusCode(200)
                .body("name", equalTo("core-router-tap"))
                .body("tags", hasItems("site:lyon", "tier:core"));
        Api.as(owner).queryParam("tag", "tier:core").get(path()).then().body("total", equalTo(1));
        Api.as(owner).queryParam("product", "nprobe").get(path()).then().body("total", equalTo(1));
        Api.as(owner).queryParam("q", "ROUTER").get(path()).then().body("items[0].id", equalTo(a));
        Api.as(owner).queryParam("q", "%").get(path()).then().body("total", equalTo(0));
        Api.as(owner)
                .queryParam("status", "PENDING")
                .queryParam("size", 2)
                .get(path())
                .then()
                .body("total", equalTo(3))
                .body("items.size()", equalTo(2));
        Api.as(owner)
                .queryParam("size", 2)
                .queryParam("page", 1)
                .get(path())
                .then()
                .body("items.size()", equalTo(1));
        Api.as(owner)
                .queryParam("tenantId", tenant.toString())
                .queryParam("action", "instance.updated")
                .get("/api/v1/audit")
                .then()
                .body("[0].targetId", equalTo(a));
    }

    @Test
    void decommissionRemovesTheInstanceAndKeepsTheAudit() {
        String a = enrol("ntopng", "gone-1");
        Api.as(owner).delete(path() + "/" + a).then().statusCode(204);
        Api.error(Api.as(owner).get(path() + "/" + a).then(), 404, "not_found");
        Api.error(Api.as(owner).delete(path() + "/" + a).then(), 404, "not_found");
        Api.as(owner)
                .queryParam("tenantId", tenant.toString())
                .queryParam("action", "instance.decommissioned")
                .get("/api/v1/audit")
                .then()
                .body("size()", equalTo(1))
                .body("[0].targetId", equalTo(a));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String a = enrol("ntopng", "bad-1");
        Api.error(Api.as(owner).queryParam("status", "SLEEPING").get(path()).then(), 400, "invalid_status");
        Api.error(Api.as(owner).queryParam("size", 0).get(path()).then(), 400, "invalid_page");
        Api.error(Api.as(owner).body(Map.of()).patch(path() + "/" + a).then(), 400, "request_malformed");
        Api.error(
                Api.as(owner)
                        .body(Map.of("name", "x".repeat(200)))
                        .patch(path() + "/" + a)
                        .then(),
                400,
                "invalid_name");
        Api.error(
                Api.as(owner)
                        .body(Map.of("tags", List.of("bad tag")))
                        .patch(path() + "/" + a)
                        .then(),
                400,
                "invalid_tags");
        Api.error(
                Api.as(owner)
                        .queryParam("from", "2026-01-02T00:00:00Z")
                        .queryParam("to", "2026-01-01T00:00:00Z")
                        .get(path() + "/" + a + "/health")
                        .then(),
                400,
                "invalid_range");
        Api.error(
                Api.as(owner)
                        .body(Map.of("command", "disconnect"))
                        .post(path() + "/" + a + "/commands")
                        .then(),
                409,
                "instance_not_online");
        Api.as(owner)
                .get(path() + "/" + a)
                .then()
                .body("name", equalTo("h-bad-1"))
                .body("tags", equalTo(List.of("site:a")));
    }
}
