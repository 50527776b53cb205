package io.overcast.controlplane;

import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user of tenant A sees nothing of tenant B: every id of B answers 404 exactly like an id that does not exist,
 * and a viewer can read but never write.
 */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class TenantIsolationTest {
    private String owner;
    private UUID tenantA;
    private UUID tenantB;
    private String instanceB;
    private String tokenB;
    private String channelB;
    private long alertB;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenantA = Api.tenant(owner, "A");
        tenantB = Api.tenant(owner, "B");
        String token = Api.enrollmentToken(owner, tenantB, 1);
        instanceB = RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "token", token,
                        "csr", Csrs.good(),
                        "facts", Map.of("hostname", "b1", "product", "nprobe", "systemId", "b-" + UUID.randomUUID())))
                .post("/edge/v1/enroll")
                .then()
                .statusCode(200)
                .extract()
                .path("instanceId");
        tokenB = Api.as(owner)
                .get("/api/v1/tenants/" + tenantB + "/enrollment-tokens")
                .then()
                .extract()
                .path("[0].id");
        channelB = Api.as(owner)
                .body(Map.of("name", "hook", "kind", "WEBHOOK", "target", "http://127.0.0.1:9/x"))
                .post("/api/v1/tenants/" + tenantB + "/notification-channels")
                .then()
                .statusCode(201)
                .extract()
                .path("channel.id");
        alertB = 0;
    }

    @Test
    void aUserOfTenantAGets404ForEverythingOfTenantB() {
        String adminA = Api.user(owner, tenantA, "ADMIN");
        String b = "/api/v1/tenants/" + tenantB;
        String fake = "/api/v1/tenants/" + UUID.randomUUID();
        for (String base : List.of(b, fake)) {
            notFound(Api.as(adminA).get(base));
            notFound(Api.as(adminA).get(base + "/instances"));
            notFound(Api.as(adminA).get(base + "/instances/" + instanceB));
            notFound(Api.as(adminA).body(Map.of("name", "stolen")).patch(base + "/instances/" + instanceB));
            notFound(Api.as(adminA).post(base + "/instances/" + instanceB + "/revoke"));
            notFound(Api.as(adminA).delete(base + "/instances/" + instanceB));
            notFound(Api.as(adminA).get(base + "/instances/" + instanceB + "/health"));
            notFound(Api.as(adminA).get(base + "/enrollment-tokens"));
            notFound(Api.as(adminA).body(Map.of("name", "x")).post(base + "/enrollment-tokens"));
            notFound(Api.as(adminA).delete(base + "/enrollment-tokens/" + tokenB));
            notFound(Api.as(adminA).get(base + "/alerts"));
            notFound(Api.as(adminA).post(base + "/alerts/" + alertB + "/acknowledge"));
            notFound(Api.as(adminA).get(base + "/notification-channels"));
            notFound(Api.as(adminA)
                    .body(Map.of("name", "x", "kind", "EMAIL", "target", "a@b.c"))
                    .post(base + "/notification-channels"));
            notFound(Api.as(adminA).delete(base + "/notification-channels/" + channelB));
        }
        // Ids of B used under A's own path are just as unknown.
        String a = "/api/v1/tenants/" + tenantA;
        notFound(Api.as(adminA).get(a + "/instances/" + instanceB));
        notFound(Api.as(adminA).post(a + "/instances/" + instanceB + "/revoke"));
        notFound(Api.as(adminA).delete(a + "/enrollment-tokens/" + tokenB));
        notFound(Api.as(adminA).delete(a + "/notification-channels/" + channelB));
        // Lists show only A.
        Api.as(adminA)
                .get("/api/v1/tenants")
                .then()
                .body("size()", equalTo(1))
                .body("[0].id", equalTo(tenantA.toString()));
        Api.as(adminA)
                .get("/api/v1/audit")
                .then()
                .body("findAll { it.tenantId == '" + tenantB + "' }.size()", equalTo(0));
        // And nothing of B changed.
        Api.as(owner).get(b + "/instances/" + instanceB).then().statusCode(200).body("status", equalTo("PENDING"));
        Api.as(owner).get(b + "/notification-channels").then().body("size()", equalTo(1));
    }

    @Test
    void aViewerReadsButCannotWrite() {
        String viewer = Api.user(owner, tenantB, "VIEWER");
        String b = "/api/v1/tenants/" + tenantB;
        Api.as(viewer).get(b + "/instances").then().statusCode(200).body("total", equalTo(1));
        Api.error(Api.as(viewer).post(b + "/instances/" + instanceB + "/revoke").then(), 403, "forbidden");
        Api.error(
                Api.as(viewer)
                        .body(Map.of("name", "x"))
                        .post(b + "/enrollment-tokens")
                        .then(),
                403,
                "forbidden");
        Api.error(
                Api.as(viewer)
                        .body(Map.of("name", "x", "kind", "EMAIL", "target", "a@b.c"))
                        .post(b + "/notification-channels")
                        .then(),
                403,
                "forbidden");
        Api.error(
                Api.as(viewer).body(Map.of("name", "t")).post("/api/v1/tenants").then(), 403, "forbidden");
        Api.as(owner).get(b + "/instances/" + instanceB).then().body("status", equalTo("PENDING"));
    }

    private static void notFound(io.restassured.response.Response r) {
        Api.error(r.then(), 404, "not_found");
    }
}
