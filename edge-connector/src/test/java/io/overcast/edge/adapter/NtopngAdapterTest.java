package io.overcast.edge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a local server that answers the documented ntopng REST API v2 endpoints the adapter uses, with token
 * authentication and ntopng's habit of redirecting to the login page instead of answering 401. (No real ntopng can
 * run here.)
 */
class NtopngAdapterTest {
    private static final String TOKEN = "s3cr3t-token";
    private HttpServer server;
    private final AtomicReference<String> interfaces =
            new AtomicReference<>("[{\"ifid\":0,\"ifname\":\"eth0\"},{\"ifid\":1,\"ifname\":\"eth1\"}]");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/lua/rest/v2/get/ntopng/interfaces.lua", ex -> answer(ex, interfaces.get()));
        server.createContext("/lua/rest/v2/get/interface/data.lua", ex -> {
            if (!ex.getRequestURI().getQuery().equals("ifid=0")) {
                reply(ex, 200, "{\"rc\":-1,\"rc_str\":\"INVALID_INTERFACE\",\"rsp\":{}}");
                return;
            }
            answer(ex, "{\"ifname\":\"eth0\",\"version\":\"6.4.250101\",\"num_flows\":4}");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex, String rsp) throws IOException {
        if (!("Token " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().add("Location", "/lua/login.lua?referer=" + ex.getRequestURI());
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        reply(ex, 200, "{\"rc\":0,\"rc_str\":\"OK\",\"rsp\":" + rsp + "}");
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void readsVersionAndStatusWithTheToken() {
        var a = new NtopngAdapter(base(), TOKEN, "sys-9", "probe-1");
        var facts = a.facts();
        assertEquals("ntopng", facts.product());
        assertEquals("6.4.250101", facts.version());
        assertEquals("sys-9", facts.systemId());
        var s = a.status();
        assertEquals("RUNNING", s.status());
        assertEquals("2 interface(s)", s.detail());
    }

    @Test
    void aRedirectToTheLoginPageIsAnAuthenticationFailure() {
        var s = new NtopngAdapter(base(), "wrong", "sys-9", "probe-1").status();
        assertEquals("DEGRADED", s.status());
        assertEquals("ntopng refused the API token", s.detail());
    }

    @Test
    void noInterfaceIsDegraded() {
        interfaces.set("[]");
        assertEquals(
                "DEGRADED", new NtopngAdapter(base(), TOKEN, "s", "h").status().status());
    }

    @Test
    void anUnreachableNtopngIsDown() {
        URI dead = base();
        server.stop(0);
        var s = new NtopngAdapter(dead, TOKEN, "s", "h").status();
        assertEquals("DOWN", s.status());
    }
}
