package io.overcast.controlplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.overcast.controlplane.notify.WebhookSignature;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook endpoint as a customer would run it: it keeps only deliveries whose signature verifies. */
final class WebhookReceiver implements AutoCloseable {
    final List<JsonNode> verified = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile String secret;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String header = ex.getRequestHeaders().getFirst(WebhookSignature.HEADER);
            boolean ok = header != null && verify(header, body);
            if (ok) {
                verified.add(new ObjectMapper().readTree(body));
            } else {
                rejected.add(body);
            }
            ex.sendResponseHeaders(ok ? 204 : 401, -1);
            ex.close();
        });
        server.start();
    }

    void secret(String s) {
        secret = s;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    long count(String type) {
        return verified.stream()
                .filter(n -> n.path("type").asText().equals(type))
                .count();
    }

    private boolean verify(String header, String body) {
        return WebhookSignature.verify(secret, header, body, System.currentTimeMillis() / 1000, 300);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
