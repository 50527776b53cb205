package io.overcast.controlplane.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.controlplane.e2e.Processes.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane processes on one database act as one service: a revocation made on one closes a session held
 * by the other within a second (LISTEN/NOTIFY), and when one dies the other marks its edges OFFLINE and they
 * reconnect to the survivor.
 */
class ReplicasIT {
    private static final String DB = "overcast_replicas";
    /**
     * A replica is judged dead 3 s after its last liveness beat (beats every second, sweeps every second): with a
     * 3 s heartbeat interval, "two intervals" leaves that detection its full margin, as the 15 s default does.
     */
    private static final Duration INTERVAL = Duration.ofSeconds(3);

    private static final List<Proc> procs = new ArrayList<>();
    private static int portA;
    private static int portB;
    private static Proc replicaA;
    private static Proc replicaB;
    private static ApiClient viaA;
    private static ApiClient viaB;
    private static String tenant;

    private static String url(int port) {
        return "wss://localhost:" + port + "/edge/v1/session";
    }

    @BeforeAll
    static void start() throws Exception {
        Processes.freshDatabase(DB);
        portA = Processes.freePort();
        portB = Processes.freePort();
        var envA = Processes.controlPlaneEnv(DB, portA, 2525);
        envA.put("OVERCAST_EDGE_HEARTBEAT_INTERVAL", INTERVAL.toSeconds() + "s");
        envA.put("OVERCAST_EDGE_SESSION_URLS", url(portA) + "," + url(portB));
        replicaA = Processes.controlPlane("replica-a", envA);
        procs.add(replicaA);
        await().atMost(Duration.ofSeconds(60)).until(() -> ApiClient.healthy(portA, DB));
        var envB = Processes.controlPlaneEnv(DB, portB, 2525);
        envB.put("OVERCAST_EDGE_HEARTBEAT_INTERVAL", INTERVAL.toSeconds() + "s");
        envB.put("OVERCAST_EDGE_SESSION_URLS", url(portB) + "," + url(portA));
        replicaB = Processes.controlPlane("replica-b", envB);
        procs.add(replicaB);
        await().atMost(Duration.ofSeconds(60)).until(() -> ApiClient.healthy(portB, DB));
        viaA = new ApiClient(DB, portA).login("admin@example.test", "an e2e password");
        viaB = new ApiClient(DB, portB).login("admin@example.test", "an e2e password");
        tenant = viaA.post("/api/v1/tenants", Map.of("name", "replicated"))
                .get("id")
                .asText();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Proc p : procs) {
            p.close();
        }
    }

    /** Enrols through the given replica (its session URLs put itself first) and starts the edge. */
    private static String[] enrolAndRun(ApiClient via, String name) throws Exception {
        Path dir = Files.createTempDirectory("replica-edge");
        String id = enrol(via, name, dir);
        Proc p = Processes.edge(name, "run", "--state-dir", dir.toString(), "--system-id", name);
        procs.add(p);
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(status(id)));
        return new String[] {id, Long.toString(p.process.pid()), Integer.toString(procs.size() - 1)};
    }

    /** Enrols an instance through the given replica into {@code dir} without running it; answers its id. */
    private static String enrol(ApiClient via, String name, Path dir) throws Exception {
        String token = via.post("/api/v1/tenants/" + tenant + "/enrollment-tokens", Map.of("name", name))
                .get("token")
                .asText();
        assertEquals(
                0,
                Processes.edgeCommand(
                        name + "-enroll",
                        "enroll",
                        "--server",
                        via.base().toString(),
                        "--token",
                        token,
                        "--state-dir",
                        dir.toString(),
                        "--system-id",
                        name,
                        "--monitor-version",
                        "6.4"));
        return new ObjectMapper()
                .readTree(dir.resolve("state.json").toFile())
                .get("instanceId")
                .asText();
    }

    private static String status(String id) throws Exception {
        return viaB.get("/api/v1/tenants/" + tenant + "/instances/" + id)
                .get("status")
                .asText();
    }

    @Test
    void revocationThroughOneReplicaClosesTheSessionHeldByTheOther() throws Exception {
        // The first revocation B serves runs its write path cold (JIT, first audit insert, first NOTIFY); what
        // this test measures is the hand-over between replicas, so B revokes an idle instance first.
        String idle = enrol(viaB, "warm-up", Files.createTempDirectory("replica-edge"));
        viaB.post("/api/v1/tenants/" + tenant + "/instances/" + idle + "/revoke", null);
        String[] onA = enrolAndRun(viaA, "held-by-a");
        Proc edge = procs.get(Integer.parseInt(onA[2]));
        assertTrue(edge.output().contains("edge " + onA[0] + " running"));
        long revoked = System.nanoTime();
        viaB.post("/api/v1/tenants/" + tenant + "/instances/" + onA[0] + "/revoke", null);
        long answered = Processes.since(revoked).toMillis();
        try {
            // Goal: well under a second (about 0.2 s measured); the bound leaves a loaded CI machine its margin.
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> edge.output().contains("session lost: closed 4003"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "the session on A was not closed 2 s after the revocation through B (the API answered in "
                            + answered + " ms); edge output:\n" + edge.output() + "\nreplica A:\n"
                            + tail(replicaA.output()) + "\nreplica B:\n" + tail(replicaB.output()),
                    e);
        }
        System.out.println("replicas: revoked via B (API answered in " + answered + " ms), session on A closed after "
                + Processes.since(revoked).toMillis() + " ms");
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    @Test
    void whenAReplicaDiesItsEdgesGoOfflineAndReconnectToTheSurvivor() throws Exception {
        String[] survivor = enrolAndRun(viaA, "moves-to-b");
        String[] orphan = enrolAndRun(viaA, "dies-with-a");
        // The orphan's host dies with replica A: nobody closes its session; B must notice A is gone.
        long killed = System.nanoTime();
        procs.get(Integer.parseInt(orphan[2])).kill();
        replicaA.kill();
        await().atMost(INTERVAL.multipliedBy(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "OFFLINE".equals(status(orphan[0])));
        System.out.println("replicas: edge of dead replica OFFLINE after "
                + Processes.since(killed).toMillis() + " ms");
        // The living edge reconnects to B and is ONLINE there, with fresh heartbeats.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "ONLINE".equals(status(survivor[0]))
                        && procs.get(Integer.parseInt(survivor[2])).output().contains("session lost"));
        String seen = viaB.get("/api/v1/tenants/" + tenant + "/instances/" + survivor[0])
                .get("lastSeen")
                .asText();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !seen.equals(viaB.get("/api/v1/tenants/" + tenant + "/instances/" + survivor[0])
                        .get("lastSeen")
                        .asText()));
        assertEquals("ONLINE", status(survivor[0]));
    }
}
