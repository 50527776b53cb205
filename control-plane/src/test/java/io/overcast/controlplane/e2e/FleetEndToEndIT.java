package io.overcast.controlplane.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.overcast.controlplane.e2e.Processes.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged control plane and the real edge connector as separate processes, on PostgreSQL, with a real SMTP
 * server and a webhook receiver: enrol, session, heartbeats, kill, alert, restart, revoke.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetEndToEndIT {
    private static final String DB = "overcast_e2e";
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static GreenMail smtp;
    private static WebhookReceiver hook;
    private static Proc controlPlane;
    private static ApiClient api;
    private static int port;
    private static String tenant;
    private static Path stateDir;
    private static String instance;
    private static Proc edge;

    @BeforeAll
    static void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        hook = new WebhookReceiver();
        // No database at all: the control plane creates it.
        Processes.dropDatabase(DB);
        port = Processes.freePort();
        controlPlane = Processes.controlPlane(
                "fleet-control-plane",
                Processes.controlPlaneEnv(DB, port, smtp.getSmtp().getPort()));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertTrue(controlPlane.process.isAlive(), controlPlane.output());
            return ApiClient.healthy(port, DB);
        });
        api = new ApiClient(DB, port).login("admin@example.test", "an e2e password");
        tenant = api.post("/api/v1/tenants", Map.of("name", "acme")).get("id").asText();
        JsonNode channel = api.post(
                "/api/v1/tenants/" + tenant + "/notification-channels",
                Map.of("name", "noc", "kind", "WEBHOOK", "target", hook.url()));
        hook.secret(channel.get("secret").asText());
        api.post(
                "/api/v1/tenants/" + tenant + "/notification-channels",
                Map.of("name", "noc mail", "kind", "EMAIL", "target", "noc@acme.test"));
        stateDir = Files.createTempDirectory("overcast-edge");
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        hook.close();
        smtp.stop();
    }

    private String status() throws Exception {
        return api.get("/api/v1/tenants/" + tenant + "/instances/" + instance)
                .get("status")
                .asText();
    }

    private Proc runEdge(String name) throws Exception {
        return Processes.edge(
                name,
                "run",
                "--state-dir",
                stateDir.toString(),
                "--product",
                "nprobe",
                "--monitor-version",
                "10.6",
                "--system-id",
                "e2e-host-1");
    }

    @Test
    @Order(1)
    void enrolsAndComesOnlineWithHealth() throws Exception {
        String token = api.post(
                        "/api/v1/tenants/" + tenant + "/enrollment-tokens", Map.of("name", "site A", "maxUses", 1))
                .get("token")
                .asText();
        int code = Processes.edgeCommand(
                "fleet-enroll",
                "enroll",
                "--server",
                api.base().toString(),
                "--token",
                token,
                "--state-dir",
                stateDir.toString(),
                "--name",
                "probe-a",
                "--product",
                "nprobe",
                "--monitor-version",
                "10.6",
                "--system-id",
                "e2e-host-1");
        assertEquals(0, code, Files.readString(Processes.LOGS.resolve("fleet-enroll.log")));
        instance = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(stateDir.resolve("state.json").toFile())
                .get("instanceId")
                .asText();
        edge = runEdge("fleet-edge-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(status()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.get("/api/v1/tenants/" + tenant + "/instances/" + instance)
                                .path("health")
                                .path("memTotalBytes")
                                .asLong()
                        > 0);
        JsonNode i = api.get("/api/v1/tenants/" + tenant + "/instances/" + instance);
        assertEquals("probe-a", i.get("name").asText());
        assertEquals("nprobe", i.get("product").asText());
        assertEquals("10.6", i.get("version").asText());
    }

    @Test
    @Order(2)
    void aKilledEdgeIsOfflineWithinTwoIntervalsAndPeopleAreToldOnce() throws Exception {
        long killed = System.nanoTime();
        edge.kill();
        await().atMost(INTERVAL.multipliedBy(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "OFFLINE".equals(status()));
        Duration took = Processes.since(killed);
        System.out.println("e2e: OFFLINE " + took.toMillis() + " ms after the edge was killed");
        await().atMost(Duration.ofSeconds(15)).until(() -> hook.count("alert.offline") == 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> smtp.getReceivedMessages().length == 1);
        assertEquals("[Overcast] OFFLINE: probe-a", smtp.getReceivedMessages()[0].getSubject());
        assertEquals(0, hook.rejected.size());
        JsonNode alerts = api.get("/api/v1/tenants/" + tenant + "/alerts?kind=OFFLINE");
        assertEquals(1, alerts.size());
    }

    @Test
    @Order(3)
    void aRestartedEdgeIsOnlineAgain() throws Exception {
        edge = runEdge("fleet-edge-2");
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(status()));
        await().atMost(Duration.ofSeconds(15)).until(() -> hook.count("alert.online") == 1);
        assertEquals(1, hook.count("alert.offline"), "still one offline alert");
    }

    @Test
    @Order(4)
    void aFrozenEdgeIsOfflineWithinTwoIntervalsAndRecoversWhenItWakes() throws Exception {
        // SIGSTOP: the TCP connection stays open but nothing is sent, as with a hung host.
        long frozen = System.nanoTime();
        signal("STOP");
        try {
            await().atMost(INTERVAL.multipliedBy(2).plusMillis(1500))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> "OFFLINE".equals(status()));
            System.out.println("e2e: OFFLINE " + Processes.since(frozen).toMillis() + " ms after the edge froze");
        } finally {
            signal("CONT");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(status()));
    }

    private static void signal(String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(edge.process.pid()))
                .inheritIO()
                .start()
                .waitFor();
    }

    @Test
    @Order(5)
    void revocationClosesTheSessionAndTheEdgeCannotComeBack() throws Exception {
        long revoked = System.nanoTime();
        api.post("/api/v1/tenants/" + tenant + "/instances/" + instance + "/revoke", null);
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> edge.output().contains("session lost: closed 4003"));
        System.out.println("e2e: session closed " + Processes.since(revoked).toMillis() + " ms after the revocation");
        // The edge keeps trying (with backoff) and is refused every time.
        await().atMost(Duration.ofSeconds(15)).until(() -> edge.output().contains("403"));
        assertEquals("REVOKED", status());
        assertTrue(edge.process.isAlive());
    }
}
