package io.overcast.controlplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class AuthResourceTest {

    @Test
    void theBootstrapOwnerSignsIn() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", "OWNER@example.test ", "password", Api.OWNER_PASSWORD))
                .post("/api/v1/auth/login")
                .then()
                .statusCode(200)
                .body("accessToken", notNullValue())
                .body("expiresIn", equalTo(900));
    }

    @Test
    void wrongPasswordAndUnknownUserLookTheSame() {
        for (String email : new String[] {Api.OWNER, "nobody@example.test"}) {
            Api.error(
                    given().contentType(ContentType.JSON)
                            .body(Map.of("email", email, "password", "wrong password!"))
                            .post("/api/v1/auth/login")
                            .then(),
                    401,
                    "invalid_credentials");
        }
    }

    @Test
    void repeatedFailuresSlowTheAccountDown() {
        String owner = Api.owner();
        String email = "throttled-" + System.nanoTime() + "@example.test";
        Api.as(owner)
                .body(Map.of("email", email, "password", "a long enough password", "role", "VIEWER"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        for (int i = 0; i < 5; i++) {
            Api.error(
                    given().contentType(ContentType.JSON)
                            .body(Map.of("email", email, "password", "nope nope nope"))
                            .post("/api/v1/auth/login")
                            .then(),
                    401,
                    "invalid_credentials");
        }
        // The sixth failure blocks the account; even the right password now waits.
        given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", "nope nope nope"))
                .post("/api/v1/auth/login");
        Api.error(
                given().contentType(ContentType.JSON)
                        .body(Map.of("email", email, "password", "a long enough password"))
                        .post("/api/v1/auth/login")
                        .then(),
                429,
                "login_throttled");
    }

    @Test
    void badRequestsGetStableCodes() {
        Api.error(
                given().contentType(ContentType.JSON)
                        .body("{\"email\":")
                        .post("/api/v1/auth/login")
                        .then(),
                400,
                "request_malformed");
        Api.error(
                given().contentType(ContentType.JSON)
                        .body("{}")
                        .post("/api/v1/auth/login")
                        .then(),
                400,
                "request_malformed");
        given().get("/api/v1/tenants").then().statusCode(401);
        given().auth().oauth2("not.a.jwt").get("/api/v1/tenants").then().statusCode(401);
    }

    @Test
    void usersCannotGrantMoreThanTheyHave() {
        String owner = Api.owner();
        var tenant = Api.tenant(owner, "grants");
        String admin = Api.user(owner, tenant, "ADMIN");
        Api.error(
                Api.as(admin)
                        .body(Map.of(
                                "email",
                                "x" + System.nanoTime() + "@example.test",
                                "password",
                                "a long enough password",
                                "role",
                                "OWNER"))
                        .post("/api/v1/users")
                        .then(),
                403,
                "forbidden");
        Api.error(
                Api.as(admin)
                        .body(Map.of("email", "bad", "password", "a long enough password"))
                        .post("/api/v1/users")
                        .then(),
                400,
                "invalid_email");
        Api.error(
                Api.as(admin)
                        .body(Map.of("email", "y" + System.nanoTime() + "@example.test", "password", "short"))
                        .post("/api/v1/users")
                        .then(),
                400,
                "weak_password");
    }

    @Test
    void everyChangeIsAudited() {
        String owner = Api.owner();
        var tenant = Api.tenant(owner, "audited");
        Api.as(owner)
                .queryParam("tenantId", tenant.toString())
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .body("[0].action", equalTo("tenant.created"))
                .body("[0].actor", equalTo(Api.OWNER))
                .body("[0].sourceIp", notNullValue());
    }
}
