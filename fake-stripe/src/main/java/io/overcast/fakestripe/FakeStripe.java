package io.overcast.fakestripe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server speaking the part of Stripe's HTTP API Overcast uses (Stripe cannot be reached from here):
 * {@code POST /v1/customers}, {@code POST /v1/checkout/sessions}, {@code POST /v1/billing/meter_events}, with
 * response shapes from Stripe's API reference. It behaves as Stripe does where it matters: a request repeated
 * under the same Idempotency-Key gets the first response back, and a meter event whose identifier was seen before
 * is not counted again. It records every request (path, form parameters, headers) for the tests to assert, and
 * can be told to fail the next requests (500) to exercise retries.
 */
public final class FakeStripe implements AutoCloseable {
    public static final String API_KEY = "sk_test_overcast_local";

    /** One request as stripe-java sent it. */
    public record Request(String path, Map<String, String> form, String idempotencyKey, String authorization) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> byIdempotencyKey = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> meterEvents = new ConcurrentHashMap<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();

    public FakeStripe() throws IOException {
        // Without TCP_NODELAY the JDK server's small writes meet the client's delayed ACKs: ~40 ms per request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-stripe");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Meter events Stripe would bill: one per identifier. */
    public Map<String, Map<String, String>> meterEvents() {
        return meterEvents;
    }

    public void failNext(int n) {
        failNext.set(n);
    }

    public void reset() {
        requests.clear();
        meterEvents.clear();
        failNext.set(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = x.getRequestURI().getPath();
            String key = x.getRequestHeaders().getFirst("Idempotency-Key");
            String auth = x.getRequestHeaders().getFirst("Authorization");
            Map<String, String> form = form(body);
            requests.add(new Request(path, form, key, auth));
            if ("GET".equals(x.getRequestMethod()) && path.startsWith("/c/pay/")) {
                byte[] page =
                        ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Checkout (local"
                                        + " stand-in)</title></head><body><h1 data-test=\"checkout\">Checkout "
                                        + path.substring("/c/pay/".length()).replaceAll("[^A-Za-z0-9_]", "")
                                        + "</h1><p>Stripe's hosted page would take the payment here.</p></body></html>")
                                .getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                x.sendResponseHeaders(200, page.length);
                x.getResponseBody().write(page);
                return;
            }
            if (!("Bearer " + API_KEY).equals(auth)) {
                reply(x, 401, error("invalid_request_error", "api_key_invalid", "Invalid API Key provided"));
                return;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply(x, 500, error("api_error", null, "An unknown error occurred"));
                return;
            }
            if (!"POST".equals(x.getRequestMethod())) {
                reply(x, 405, error("invalid_request_error", null, "Unrecognized request method"));
                return;
            }
            String replay = key == null ? null : byIdempotencyKey.get(path + " " + key);
            if (replay != null) {
                x.getResponseHeaders().add("Idempotent-Replayed", "true");
                reply(x, 200, replay);
                return;
            }
            String answer =
                    switch (path) {
                        case "/v1/customers" -> customer(form);
                        case "/v1/checkout/sessions" -> checkoutSession(form);
                        case "/v1/billing/meter_events" -> meterEvent(form);
                        default -> null;
                    };
            if (answer == null) {
                reply(x, 404, error("invalid_request_error", "resource_missing", "Unrecognized request URL"));
                return;
            }
            if (key != null) {
                byIdempotencyKey.put(path + " " + key, answer);
            }
            reply(x, 200, answer);
        }
    }

    private String customer(Map<String, String> form) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", "cus_test" + ids.incrementAndGet());
        c.put("object", "customer");
        c.put("created", System.currentTimeMillis() / 1000);
        c.put("livemode", false);
        c.put("name", form.get("name"));
        c.put("metadata", sub(form, "metadata"));
        return JSON.writeValueAsString(c);
    }

    private String checkoutSession(Map<String, String> form) throws IOException {
        String id = "cs_test_" + ids.incrementAndGet();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("object", "checkout.session");
        s.put("created", System.currentTimeMillis() / 1000);
        s.put("livemode", false);
        s.put("mode", form.get("mode"));
        s.put("customer", form.get("customer"));
        s.put("client_reference_id", form.get("client_reference_id"));
        s.put("metadata", sub(form, "metadata"));
        s.put("payment_status", "unpaid");
        s.put("status", "open");
        s.put("success_url", form.get("success_url"));
        s.put("cancel_url", form.get("cancel_url"));
        // Stripe answers with a checkout.stripe.com page; this server serves its own stand-in, so a browser test can
        // follow the link without the internet.
        s.put("url", base() + "/c/pay/" + id);
        return JSON.writeValueAsString(s);
    }

    private String meterEvent(Map<String, String> form) throws IOException {
        String identifier = form.get("identifier");
        meterEvents.putIfAbsent(identifier, form);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("object", "billing.meter_event");
        e.put("created", System.currentTimeMillis() / 1000);
        e.put("event_name", form.get("event_name"));
        e.put("identifier", identifier);
        e.put("livemode", false);
        e.put("payload", sub(form, "payload"));
        e.put("timestamp", Long.parseLong(form.getOrDefault("timestamp", "0")));
        return JSON.writeValueAsString(e);
    }

    private static Map<String, String> sub(Map<String, String> form, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        form.forEach((k, v) -> {
            if (k.startsWith(prefix + "[") && k.endsWith("]")) {
                out.put(k.substring(prefix.length() + 1, k.length() - 1), v);
            }
        });
        return out;
    }

    private static String error(String type, String code, String message) throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        if (code != null) {
            e.put("code", code);
        }
        e.put("message", message);
        return JSON.writeValueAsString(Map.of("error", e));
    }

    private static void reply(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.getResponseHeaders().add("Request-Id", "req_local");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    /** Form fields as sent, with bracketed keys kept flat: {@code line_items[0][price]}. */
    static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return out;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
