package io.overcast.controlplane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.edge.EdgeConnector;
import io.overcast.edge.adapter.GenericAdapter;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Enroller;
import io.overcast.edge.identity.Keys;
import io.overcast.edge.session.SessionLoop;
import io.overcast.protocol.Facts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Edge sessions over real mutual TLS against the running control plane (heartbeat interval 2 s in tests). */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
class SessionTest {
    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Inject
    PkiService pki;

    @Inject
    io.agroal.api.AgroalDataSource ds;

    private final ObjectMapper json = new ObjectMapper();
    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "sessions");
    }

    private EdgeState enrol(String systemId) throws Exception {
        Path dir = Files.createTempDirectory("edge");
        EdgeState state = new EdgeState(dir);
        new Enroller()
                .enroll(
                        URI.create(https.toString()),
                        Api.enrollmentToken(owner, tenant, 1),
                        new Facts("host-" + systemId, "ntopng", "6.4", systemId),
                        null,
                        false,
                        state);
        return state;
    }

    private URI sessionUrl(EdgeState s) {
        return URI.create(s.info().sessionUrls().get(0));
    }

    private String status(String instanceId) {
        return Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/instances/" + instanceId)
                .then()
                .extract()
                .path("status");
    }

    /** The HTTP status with which the upgrade was refused. */
    private static int upgradeStatus(CompletionException e) {
        assertTrue(
                e.getCause() instanceof java.net.http.WebSocketHandshakeException,
                e.getCause().toString());
        return ((java.net.http.WebSocketHandshakeException) e.getCause())
                .getResponse()
                .statusCode();
    }

    /** TLS that presents any chain while trusting our CA, as a forger would. */
    private static SSLContext presenting(
            java.security.PrivateKey key, List<java.security.cert.X509Certificate> chain, String caPem)
            throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", key, new char[0], chain.toArray(java.security.cert.Certificate[]::new));
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), TestTls.trustManagers(caPem), null);
        return ctx;
    }

    private RawEdge raw(EdgeState s) {
        return RawEdge.connect(sessionUrl(s), Keys.mutualTls(s.keyPem(), s.certPem(), s.caPem()));
    }

    private JsonNode frame(String text) throws Exception {
        return json.readTree(text);
    }

    @Test
    void anEdgeComesOnlineReportsHealthAndGoesOfflineWhenItStops() throws Exception {
        EdgeState s = enrol("live-1");
        String id = s.info().instanceId();
        try (EdgeConnector edge = new EdgeConnector(
                s.dir(), new GenericAdapter("ntopng", "6.4", "live-1", "host"), List.of(Path.of("/")), null)) {
            edge.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(status(id)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.as(owner)
                    .get("/api/v1/tenants/" + tenant + "/instances/" + id)
                    .then()
                    .body("health.memTotalBytes", greaterThan(0L))
                    .body("health.monitor.status", equalTo("RUNNING"))
                    .body("lastSeen", notNullValue()));
            Api.as(owner)
                    .get("/api/v1/tenants/" + tenant + "/instances?status=ONLINE&tag=site:a&q=host-live")
                    .then()
                    .body("total", equalTo(1));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.as(owner)
                    .get("/api/v1/tenants/" + tenant + "/instances/" + id + "/health")
                    .then()
                    .body("size()", greaterThan(0)));
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> "OFFLINE".equals(status(id)));
        Api.as(owner)
                .queryParam("instanceId", id)
                .get("/api/v1/tenants/" + tenant + "/alerts")
                .then()
                .body("[0].kind", equalTo("OFFLINE"));
    }

    @Test
    void revocationClosesTheSessionWithinOneSecondAndRefusesReconnects() throws Exception {
        EdgeState s = enrol("revoked-1");
        String id = s.info().instanceId();
        AtomicLong leftOnline = new AtomicLong();
        try (EdgeConnector edge = new EdgeConnector(
                s.dir(),
                new GenericAdapter("ntopng", "6.4", "revoked-1", "host"),
                List.of(),
                new SessionLoop.Observer() {
                    @Override
                    public void stateChanged(SessionLoop.State state) {
                        if (state == SessionLoop.State.BACKOFF && leftOnline.get() == 0) {
                            leftOnline.set(System.nanoTime());
                        }
                    }
                })) {
            edge.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(status(id)));
            long revokedAt = System.nanoTime();
            Api.as(owner)
                    .post("/api/v1/tenants/" + tenant + "/instances/" + id + "/revoke")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("REVOKED"));
            await().atMost(Duration.ofSeconds(1)).until(() -> leftOnline.get() != 0);
            assertTrue(leftOnline.get() - revokedAt < 1_000_000_000L);
        }
        var refused = assertThrows(CompletionException.class, () -> raw(s));
        assertEquals(403, upgradeStatus(refused));
        assertEquals("REVOKED", status(id));
    }

    @Test
    void leaseRequestsAreAnsweredOverTheSessionAndBadOnesRefused() throws Exception {
        EdgeState s = enrol("leasing-1");
        Api.as(owner)
                .body(java.util.Map.of("planId", "nprobe-pro-daily"))
                .post("/api/v1/tenants/" + tenant + "/licenses")
                .then()
                .statusCode(201);
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"lease\",\"id\":\"early\",\"payload\":{\"wants\":[]}}");
            JsonNode early = frame(edge.next());
            assertEquals("error", early.get("type").asText());
            assertEquals("hello_required", early.get("payload").get("code").asText());
            edge.send("{\"type\":\"hello\",\"id\":\"h\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            edge.send("{\"type\":\"lease\",\"id\":\"l1\",\"payload\":{\"wants\":[{\"product\":\"nprobe\","
                    + "\"edition\":\"pro\"},{\"product\":\"ntopng\",\"edition\":\"pro\"}]}}");
            JsonNode leases = frame(edge.next());
            assertEquals("leases", leases.get("type").asText());
            assertEquals("l1", leases.get("id").asText());
            JsonNode grants = leases.get("payload").get("grants");
            assertEquals("DAILY", grants.get(0).get("kind").asText());
            var claims = new io.overcast.licensing.Verifier(java.util.Map.of(
                            "ovc-lic-1",
                            io.overcast.licensing.Keys.decode(leases.get("payload")
                                    .get("keys")
                                    .get("ovc-lic-1")
                                    .asText())))
                    .lease(
                            grants.get(0).get("document").asText(),
                            UUID.fromString(s.info().instanceId()),
                            java.time.Instant.now());
            assertTrue(claims.valid(), claims.toString());
            assertEquals(
                    "not_licensed", grants.get(1).get("problem").get("code").asText());
            // Too many products, a malformed name: refused as a bad payload, nothing leased.
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 17; i++) {
                many.append(i == 0 ? "" : ",")
                        .append("{\"product\":\"p")
                        .append(i)
                        .append("\",\"edition\":\"e\"}");
            }
            edge.send("{\"type\":\"lease\",\"id\":\"l2\",\"payload\":{\"wants\":[" + many + "]}}");
            assertEquals(
                    "payload_invalid",
                    frame(edge.next()).get("payload").get("code").asText());
            edge.send("{\"type\":\"lease\",\"id\":\"l3\",\"payload\":{\"wants\":[{\"product\":\"NT OP\","
                    + "\"edition\":\"x\"}]}}");
            assertEquals(
                    "payload_invalid",
                    frame(edge.next()).get("payload").get("code").asText());
        }
        try (var c = ds.getConnection();
                var st = c.prepareStatement("SELECT count(*) FROM leases WHERE instance_id = ?::uuid")) {
            st.setString(1, s.info().instanceId());
            try (var rs = st.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void aHeartbeatAfterRevocationNeverLands() throws Exception {
        EdgeState s = enrol("revoked-2");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"id\":\"h\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            Api.as(owner)
                    .post("/api/v1/tenants/" + tenant + "/instances/" + s.info().instanceId() + "/revoke")
                    .then()
                    .statusCode(200);
            assertEquals(4003, edge.awaitClose(Duration.ofSeconds(1)));
        }
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/instances/" + s.info().instanceId())
                .then()
                .body("status", equalTo("REVOKED"))
                .body("health", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aSessionWhoseStatusWasLostIsToldToReconnect() throws Exception {
        EdgeState s = enrol("resync-1");
        String id = s.info().instanceId();
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            // What another replica's sweep does when it wrongly judges this one dead.
            try (var c = ds.getConnection();
                    var st = c.prepareStatement("UPDATE instances SET status = 'OFFLINE', session_id = NULL,"
                            + " replica_id = NULL WHERE id = ?::uuid")) {
                st.setString(1, id);
                st.executeUpdate();
            }
            edge.send("{\"type\":\"heartbeat\",\"payload\":{\"health\":{\"load1\":0.1,\"memUsedBytes\":1,"
                    + "\"memTotalBytes\":2,\"uptimeSeconds\":3}}}");
            assertEquals(4004, edge.awaitClose(Duration.ofSeconds(5)));
        }
        assertEquals("OFFLINE", status(id));
    }

    @Test
    void badFramesGetErrorFramesWithStableCodes() throws Exception {
        EdgeState s = enrol("frames-1");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"heartbeat\",\"payload\":{\"health\":{}}}");
            assertEquals(
                    "hello_required", frame(edge.next()).at("/payload/code").asText());
            edge.send("not json at all");
            assertEquals(
                    "frame_malformed", frame(edge.next()).at("/payload/code").asText());
            edge.send("{\"type\":\"teleport\",\"id\":\"t1\"}");
            JsonNode unknown = frame(edge.next());
            assertEquals("frame_type_unknown", unknown.at("/payload/code").asText());
            assertEquals("t1", unknown.get("id").asText());
            edge.send("{\"type\":\"hello\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            edge.send("{\"type\":\"heartbeat\",\"payload\":{\"health\":{\"load1\":-1}}}");
            assertEquals(
                    "payload_invalid", frame(edge.next()).at("/payload/code").asText());
            edge.send("{\"type\":\"renew\",\"id\":\"r\",\"payload\":{\"csr\":\"nope\"}}");
            assertEquals("csr_malformed", frame(edge.next()).at("/payload/code").asText());
            edge.send("{\"type\":\"welcome\",\"payload\":{}}");
            assertEquals(
                    "frame_type_unexpected",
                    frame(edge.next()).at("/payload/code").asText());
        }
        Api.as(owner).get("/q/metrics").then().statusCode(200);
    }

    @Test
    void anUnsupportedProtocolVersionIsToldAndClosed() throws Exception {
        EdgeState s = enrol("proto-1");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"payload\":{\"protocol\":99,\"capabilities\":[]}}");
            assertEquals(
                    "protocol_unsupported",
                    frame(edge.next()).at("/payload/code").asText());
            assertEquals(1008, edge.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aFloodClosesTheSession() throws Exception {
        EdgeState s = enrol("flood-1");
        try (RawEdge edge = raw(s)) {
            for (int i = 0; i < 200; i++) {
                if (!edge.trySend("{\"type\":\"ack\",\"id\":\"" + i + "\",\"payload\":{\"ok\":true}}")) {
                    break;
                }
            }
            assertEquals(1008, edge.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anOversizedFrameClosesTheSession() throws Exception {
        EdgeState s = enrol("big-1");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"payload\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}");
            int code = edge.awaitClose(Duration.ofSeconds(5));
            assertEquals(1009, code, "closed as too big");
        }
    }

    @Test
    void anEdgeSilentForTwoIntervalsIsClosedAndOffline() throws Exception {
        EdgeState s = enrol("silent-1");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            assertEquals("ONLINE", status(s.info().instanceId()));
            // two intervals of 2 s, plus the one-second sweep
            assertEquals(4002, edge.awaitClose(Duration.ofSeconds(6)));
        }
        await().atMost(Duration.ofSeconds(2))
                .until(() -> "OFFLINE".equals(status(s.info().instanceId())));
    }

    @Test
    void noCertificateAForeignOneOrAnExpiredOneIsRefusedBeforeAnyFrame() throws Exception {
        EdgeState s = enrol("refused-1");
        var noCert = assertThrows(
                CompletionException.class, () -> RawEdge.connect(sessionUrl(s), TestTls.trustOnly(s.caPem())));
        assertEquals(401, upgradeStatus(noCert));

        // A certificate from another CA fails the TLS handshake.
        var otherCa = io.overcast.controlplane.pki.CertificateAuthority.generate("evil.local");
        var kp = Keys.newKeyPair();
        var foreign = otherCa.issueInstance(
                kp.getPublic(),
                s.info().instanceId(),
                "spiffe://overcast.local/tenant/" + tenant + "/instance/"
                        + s.info().instanceId(),
                Duration.ofDays(1));
        assertThrows(
                CompletionException.class,
                () -> RawEdge.connect(
                        sessionUrl(s),
                        presenting(kp.getPrivate(), List.of(foreign, otherCa.certificate()), s.caPem())));

        // Our CA, but expired: also refused.
        var kp2 = Keys.newKeyPair();
        var expired = pki.ca()
                .issueInstance(
                        kp2.getPublic(),
                        s.info().instanceId(),
                        pki.spiffeId(tenant, UUID.fromString(s.info().instanceId())),
                        Duration.ofSeconds(-30));
        assertThrows(
                CompletionException.class,
                () -> RawEdge.connect(
                        sessionUrl(s), Keys.mutualTls(Keys.pkcs8(kp2.getPrivate()), Keys.pem(expired), s.caPem())));

        // Our CA, valid, but never issued to this instance (not in the certificate table): refused.
        var kp3 = Keys.newKeyPair();
        var unknown = pki.ca()
                .issueInstance(
                        kp3.getPublic(),
                        s.info().instanceId(),
                        pki.spiffeId(tenant, UUID.fromString(s.info().instanceId())),
                        Duration.ofDays(1));
        var refused = assertThrows(
                CompletionException.class,
                () -> RawEdge.connect(
                        sessionUrl(s), Keys.mutualTls(Keys.pkcs8(kp3.getPrivate()), Keys.pem(unknown), s.caPem())));
        assertEquals(403, upgradeStatus(refused));
        assertEquals("PENDING", status(s.info().instanceId()));
    }

    @Test
    void anOperatorOrdersARenewalAndADisconnectThroughTheApi() throws Exception {
        EdgeState s = enrol("commands-1");
        String id = s.info().instanceId();
        var commands = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var renewed = new java.util.concurrent.atomic.AtomicReference<java.security.cert.X509Certificate>();
        String before = s.certPem();
        var onlineCount = new java.util.concurrent.atomic.AtomicInteger();
        try (EdgeConnector edge = new EdgeConnector(
                s.dir(),
                new GenericAdapter("ntopng", "6.4", "commands-1", "host"),
                List.of(),
                new SessionLoop.Observer() {
                    @Override
                    public void stateChanged(SessionLoop.State state) {
                        if (state == SessionLoop.State.ONLINE) {
                            onlineCount.incrementAndGet();
                        }
                    }

                    @Override
                    public void commandReceived(String command) {
                        commands.add(command);
                    }

                    @Override
                    public void certificateRenewed(java.security.cert.X509Certificate cert) {
                        renewed.set(cert);
                    }
                })) {
            edge.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(status(id)));
            Api.as(owner)
                    .body(java.util.Map.of("command", "renew_certificate"))
                    .post("/api/v1/tenants/" + tenant + "/instances/" + id + "/commands")
                    .then()
                    .statusCode(202);
            await().atMost(Duration.ofSeconds(5)).until(() -> renewed.get() != null);
            assertTrue(!before.equals(s.certPem()), "the new certificate is saved");
            assertEquals(renewed.get(), Keys.certificates(s.certPem()).get(0));
            Api.as(owner)
                    .body(java.util.Map.of("command", "disconnect"))
                    .post("/api/v1/tenants/" + tenant + "/instances/" + id + "/commands")
                    .then()
                    .statusCode(202);
            await().atMost(Duration.ofSeconds(5)).until(() -> commands.contains("disconnect"));
            // It reconnects, with the renewed certificate.
            await().atMost(Duration.ofSeconds(10)).until(() -> onlineCount.get() == 2);
            assertEquals("ONLINE", status(id));
        }
        Api.error(
                Api.as(owner)
                        .body(java.util.Map.of("command", "self_destruct"))
                        .post("/api/v1/tenants/" + tenant + "/instances/" + id + "/commands")
                        .then(),
                400,
                "invalid_command");
    }

    @Test
    void theServerCanOrderARenewalAndTheEdgeGetsAFreshCertificate() throws Exception {
        EdgeState s = enrol("renew-1");
        try (RawEdge edge = raw(s)) {
            edge.send("{\"type\":\"hello\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
            assertEquals("welcome", frame(edge.next()).get("type").asText());
            var kp = Keys.newKeyPair();
            edge.send(json.writeValueAsString(
                    java.util.Map.of("type", "renew", "id", "r1", "payload", java.util.Map.of("csr", Keys.csr(kp)))));
            JsonNode renewed = frame(edge.next());
            assertEquals("renewed", renewed.get("type").asText());
            assertEquals("r1", renewed.get("id").asText());
            var cert = Keys.certificates(renewed.at("/payload/certificate").asText())
                    .get(0);
            assertEquals(kp.getPublic(), cert.getPublicKey());
            // The renewed certificate opens a session of its own.
            try (RawEdge again = RawEdge.connect(
                    sessionUrl(s), Keys.mutualTls(Keys.pkcs8(kp.getPrivate()), Keys.pem(cert), s.caPem()))) {
                again.send("{\"type\":\"hello\",\"payload\":{\"protocol\":1,\"capabilities\":[]}}");
                assertEquals("welcome", frame(again.next()).get("type").asText());
            }
        }
    }
}
