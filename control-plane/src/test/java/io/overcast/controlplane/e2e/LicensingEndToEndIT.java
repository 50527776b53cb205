package io.overcast.controlplane.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Leases end to end, with the packaged control plane and real edge processes: an edge asks for its products over
 * its session, writes LICENSED to the file its monitor reads and reports it in its heartbeat, the day is counted;
 * a second edge finds the one-seat pool taken; with the control plane gone, the seat lease lapses into GRACE and
 * then UNLICENSED while the paid day stays LICENSED.
 */
class LicensingEndToEndIT {
    private static final String DB = "overcast_licensing_e2e";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Proc> procs = new ArrayList<>();
    private static Proc controlPlane;
    private static ApiClient api;
    private static String tenant;

    @BeforeAll
    static void start() throws Exception {
        Processes.freshDatabase(DB);
        int port = Processes.freePort();
        var env = Processes.controlPlaneEnv(DB, port, 2525);
        // Short seat leases so that renewal and lapse happen within the test.
        env.put("OVERCAST_LICENSING_POOL_LEASE_TTL", "6s");
        controlPlane = Processes.controlPlane("licensing-control-plane", env);
        procs.add(controlPlane);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertTrue(controlPlane.process.isAlive(), controlPlane.output());
            return ApiClient.healthy(port, DB);
        });
        api = new ApiClient(DB, port).login("admin@example.test", "an e2e password");
        tenant = api.post("/api/v1/tenants", Map.of("name", "licensed"))
                .get("id")
                .asText();
        api.post("/api/v1/tenants/" + tenant + "/licenses", Map.of("planId", "ntopng-el-daily"));
        api.post("/api/v1/tenants/" + tenant + "/licenses", Map.of("planId", "agent-pool-50", "seats", 1));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Proc p : procs) {
            p.close();
        }
    }

    private static String[] enrolAndRun(String name, Path dir, String... licenses) throws Exception {
        String token = api.post("/api/v1/tenants/" + tenant + "/enrollment-tokens", Map.of("name", name))
                .get("token")
                .asText();
        assertEquals(
                0,
                Processes.edgeCommand(
                        name + "-enroll",
                        "enroll",
                        "--server",
                        api.base().toString(),
                        "--token",
                        token,
                        "--state-dir",
                        dir.toString(),
                        "--system-id",
                        name));
        String id = JSON.readTree(dir.resolve("state.json").toFile())
                .get("instanceId")
                .asText();
        List<String> args = new ArrayList<>(
                List.of("run", "--state-dir", dir.toString(), "--system-id", name, "--license-grace", "PT4S"));
        for (String l : licenses) {
            args.add("--license");
            args.add(l);
        }
        procs.add(Processes.edge(name, args.toArray(String[]::new)));
        return new String[] {id, Integer.toString(procs.size() - 1)};
    }

    /** What the monitor reads: product → [state, problem]. */
    private static Map<String, String[]> monitorSees(Path dir) {
        Path file = dir.resolve("license-state.json");
        Map<String, String[]> out = new java.util.HashMap<>();
        try {
            for (JsonNode l : JSON.readTree(file.toFile()).get("licenses")) {
                out.put(l.get("product").asText(), new String[] {
                    l.get("state").asText(),
                    l.path("problem").isNull() ? null : l.path("problem").asText(null)
                });
            }
        } catch (java.io.IOException e) {
            return Map.of();
        }
        return out;
    }

    private static String state(Path dir, String product) {
        String[] s = monitorSees(dir).get(product);
        return s == null ? null : s[0];
    }

    @Test
    void leasesReachTheMonitorTheDayIsCountedThePoolIsExactAndTheGraceRunsOut() throws Exception {
        Path first = Files.createTempDirectory("lic-edge-a");
        String[] a = enrolAndRun("lic-a", first, "ntopng:enterprise_l", "agent:standard");
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "LICENSED".equals(state(first, "ntopng")) && "LICENSED".equals(state(first, "agent")));
        System.out.println(
                "licensing: edge LICENSED " + Processes.since(started).toMillis() + " ms after start");

        // The heartbeat carries the state to the control plane.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonNode i = api.get("/api/v1/tenants/" + tenant + "/instances/" + a[0]);
            return i.get("licenses").isArray()
                    && i.get("licenses").size() == 2
                    && "LICENSED".equals(i.get("licenses").get(0).get("state").asText());
        });
        JsonNode usage = api.get("/api/v1/tenants/" + tenant + "/usage");
        assertEquals(1, usage.get("total").asInt(), usage.toString());
        assertEquals("ntopng", usage.get("days").get(0).get("product").asText());

        // The pool has one seat and the first edge holds it (renewing every 3 s).
        Path second = Files.createTempDirectory("lic-edge-b");
        enrolAndRun("lic-b", second, "agent:standard");
        await().atMost(Duration.ofSeconds(30)).until(() -> monitorSees(second).containsKey("agent"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "no_seats".equals(monitorSees(second).get("agent")[1]));
        assertEquals("UNLICENSED", state(second, "agent"));
        assertEquals("LICENSED", state(first, "agent"), "renewals kept the seat");

        // The cloud goes away: the seat lease lapses into grace, then the product is unlicensed; the day stays paid.
        controlPlane.kill();
        long gone = System.nanoTime();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "GRACE".equals(state(first, "agent")));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "UNLICENSED".equals(state(first, "agent")));
        assertEquals("expired", monitorSees(first).get("agent")[1]);
        assertEquals("LICENSED", state(first, "ntopng"));
        System.out.println("licensing: without the cloud the seat lease went GRACE then UNLICENSED "
                + Processes.since(gone).toMillis() + " ms after the control plane died");
    }
}
