package io.overcast.controlplane;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small helpers over the public API, as a client would call it. */
public final class Api {
    public static final String OWNER = "owner@example.test";
    public static final String OWNER_PASSWORD = "correct horse battery staple";

    private Api() {}

    public static String login(String email, String password) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", password))
                .post("/api/v1/auth/login")
                .then()
                .statusCode(200)
                .extract()
                .path("accessToken");
    }

    public static String owner() {
        return login(OWNER, OWNER_PASSWORD);
    }

    public static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    public static UUID tenant(String token, String name) {
        return UUID.fromString(as(token)
                .body(Map.of("name", name + "-" + UUID.randomUUID()))
                .post("/api/v1/tenants")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }

    /** Creates a user and signs in as them. */
    public static String user(String token, UUID tenantId, String role) {
        String email = role.toLowerCase() + "-" + UUID.randomUUID() + "@example.test";
        var body = new java.util.HashMap<String, Object>(
                Map.of("email", email, "password", "a long enough password", "role", role));
        if (tenantId != null) {
            body.put("tenantId", tenantId.toString());
        }
        as(token).body(body).post("/api/v1/users").then().statusCode(201);
        return login(email, "a long enough password");
    }

    public static String enrollmentToken(String token, UUID tenantId, int maxUses) {
        return as(token)
                .body(Map.of("name", "t", "maxUses", maxUses, "expiresInSeconds", 3600, "tags", List.of("site:a")))
                .post("/api/v1/tenants/" + tenantId + "/enrollment-tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    public static ValidatableResponse error(ValidatableResponse r, int status, String code) {
        return r.statusCode(status).body("error.code", org.hamcrest.Matchers.equalTo(code));
    }
}
