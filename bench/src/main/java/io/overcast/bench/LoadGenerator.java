package io.overcast.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.edge.identity.Keys;
import io.overcast.edge.identity.PinnedCaTrustManager;
import io.overcast.protocol.Enrollment;
import io.overcast.protocol.EnrollmentTokenFormat;
import io.overcast.protocol.Facts;
import io.overcast.protocol.FrameCodec;
import io.overcast.protocol.FrameType;
import io.overcast.protocol.Health;
import io.overcast.protocol.Limits;
import io.overcast.protocol.Payloads;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Enrols N edges (each with its own key pair and CSR, as real edges do) and holds N mutually authenticated
 * WebSocket sessions that say hello and send heartbeats, on one Vert.x event loop per core instead of a thread per
 * edge. Source addresses rotate over 127.0.0.x when one address would run out of ephemeral ports.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true)
public final class LoadGenerator implements Callable<Integer> {
    @Option(names = "--server", required = true)
    URI server;

    @Option(names = "--token", required = true, description = "an enrolment token with at least --count uses")
    String token;

    @Option(names = "--count", defaultValue = "1000")
    int count;

    @Option(names = "--enroll-concurrency", defaultValue = "32")
    int enrollConcurrency;

    @Option(names = "--warmup", defaultValue = "0", description = "edges enrolled before the measured ones")
    int warmup;

    @Option(names = "--connect-concurrency", defaultValue = "256")
    int connectConcurrency;

    @Option(names = "--sources", defaultValue = "1", description = "how many 127.0.0.x source addresses to use")
    int sources;

    @Option(names = "--hold-seconds", defaultValue = "0", description = "0: hold until killed")
    int holdSeconds;

    @Option(
            names = "--rollover-file",
            description = "once holding, wait for this file, then every session asks for its lease at once (the"
                    + " midnight rollover of DAILY leases)")
    java.nio.file.Path rolloverFile;

    @Option(names = "--lease", defaultValue = "ntopng:enterprise_l", description = "product:edition to lease")
    String lease;

    @Option(names = "--go-file", description = "after enrolling, wait until this file exists before connecting")
    java.nio.file.Path goFile;

    private final ObjectMapper json = new ObjectMapper();
    private final FrameCodec codec = new FrameCodec();

    record Identity(String keyPem, String certPem) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        var t = EnrollmentTokenFormat.parse(token).orElseThrow(() -> new IllegalArgumentException("bad token"));
        SSLContext pinned = SSLContext.getInstance("TLS");
        PinnedCaTrustManager pin = new PinnedCaTrustManager(t.caFingerprint());
        pinned.init(null, new TrustManager[] {pin}, null);
        // HTTP/1.1: each real edge enrols over its own connection; HTTP/2 would funnel every request of this
        // load generator through one connection and so one server event loop.
        HttpClient http = HttpClient.newBuilder()
                .sslContext(pinned)
                .version(HttpClient.Version.HTTP_1_1)
                .build();

        // 1. Enrolment: key pairs are made before the clock starts, as each real edge makes its own.
        String run = Long.toString(System.currentTimeMillis(), 36);
        String[] ca = new String[1];
        List<String>[] urls = new List[1];
        if (warmup > 0) {
            enrolAll(http, "warm-" + run, warmup, ca, urls, "WARMUP");
        }
        Identity[] ids = enrolAll(http, run, count, ca, urls, "ENROLLED");
        int failedEnrolments = (int)
                java.util.Arrays.stream(ids).filter(java.util.Objects::isNull).count();

        if (goFile != null) {
            System.out.println("WAITING for " + goFile);
            awaitFile(goFile);
        }

        // 2. Sessions.
        Vertx vertx = Vertx.vertx(
                new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        URI session = URI.create(urls[0].get(0));
        Semaphore inFlight = new Semaphore(connectConcurrency);
        AtomicInteger online = new AtomicInteger();
        AtomicInteger connectFailures = new AtomicInteger();
        AtomicInteger heartbeats = new AtomicInteger();
        java.util.Queue<WebSocket> live = new java.util.concurrent.ConcurrentLinkedQueue<>();
        // Counts down once per edge that got its welcome or failed to connect.
        CountDownLatch settled = new CountDownLatch(count - failedEnrolments);
        long c0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (ids[i] == null) {
                continue;
            }
            inFlight.acquire();
            Identity id = ids[i];
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setSsl(true)
                    .setLocalAddress("127.0.0." + (1 + i % Math.max(1, sources)))
                    .setMaxFrameSize(Limits.MAX_FRAME_BYTES)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .addCertValue(Buffer.buffer(id.certPem()))
                            .addKeyValue(Buffer.buffer(id.keyPem())))
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca[0]))));
            client.connect(new WebSocketConnectOptions()
                            .setHost(session.getHost())
                            .setPort(session.getPort())
                            .setSsl(true)
                            .setURI(session.getPath()))
                    .onComplete(ar -> {
                        inFlight.release();
                        if (ar.failed()) {
                            connectFailures.incrementAndGet();
                            settled.countDown();
                            if (connectFailures.get() < 5) {
                                System.err.println("connect failed: " + ar.cause());
                            }
                            return;
                        }
                        drive(vertx, ar.result(), online, heartbeats, settled, live);
                    });
        }
        inFlight.acquire(connectConcurrency);
        inFlight.release(connectConcurrency);
        settled.await(60, TimeUnit.SECONDS);
        System.out.printf(
                "HOLDING %d sessions (%d failed) after %.1f s%n",
                online.get(), connectFailures.get(), (System.nanoTime() - c0) / 1e9);
        vertx.setPeriodic(
                5000, timer -> System.out.printf("online %d, heartbeats sent %d%n", online.get(), heartbeats.get()));
        if (rolloverFile != null) {
            rollover(live);
        }
        CountDownLatch never = new CountDownLatch(1);
        if (holdSeconds == 0) {
            never.await(); // hold until killed
        } else {
            never.await(holdSeconds, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return 0;
    }

    /**
     * Enrols n edges with enrollConcurrency requests in flight, on Vert.x (the JDK HTTP client costs more CPU
     * than the control plane does per enrolment). The first enrolment goes through the JDK client with the CA
     * pinned by the token's fingerprint; the rest trust the CA that it returned. Prints the rate under the label.
     */
    private Identity[] enrolAll(HttpClient http, String run, int n, String[] ca, List<String>[] urls, String label)
            throws Exception {
        List<KeyPair> keys = new ArrayList<>(n);
        List<String> bodies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyPair kp = Keys.newKeyPair();
            keys.add(kp);
            bodies.add(json.writeValueAsString(new Enrollment.Request(
                    token,
                    Keys.csr(kp),
                    new Facts("load-" + i, "agent", "1.0", "load-" + run + "-" + i),
                    null,
                    false)));
        }
        Identity[] ids = new Identity[n];
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        int first = 0;
        if (ca[0] == null) {
            var resp = http.send(
                    HttpRequest.newBuilder(server.resolve("/edge/v1/enroll"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(0)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("first enrolment refused: " + resp.body());
            }
            var r = json.readValue(resp.body(), Enrollment.Response.class);
            ca[0] = r.caChain();
            urls[0] = r.sessionUrls();
            ids[0] = new Identity(Keys.pkcs8(keys.get(0).getPrivate()), r.certificate());
            first = 1;
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        var client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca[0])))
                .setMaxPoolSize(enrollConcurrency)
                .setKeepAlive(true));
        Semaphore inFlight = new Semaphore(enrollConcurrency);
        CountDownLatch done = new CountDownLatch(n - first);
        for (int i = first; i < n; i++) {
            int k = i;
            inFlight.acquire();
            client.request(new io.vertx.core.http.RequestOptions()
                            .setMethod(io.vertx.core.http.HttpMethod.POST)
                            .setHost(server.getHost())
                            .setPort(server.getPort())
                            .setURI("/edge/v1/enroll")
                            .putHeader("Content-Type", "application/json"))
                    .compose(req -> req.send(bodies.get(k)))
                    .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? b.toString() : null))
                    .onComplete(ar -> {
                        try {
                            if (ar.succeeded() && ar.result() != null) {
                                var r = json.readValue(ar.result(), Enrollment.Response.class);
                                ids[k] = new Identity(Keys.pkcs8(keys.get(k).getPrivate()), r.certificate());
                            } else if (failed.incrementAndGet() < 5) {
                                System.err.println("enrolment failed: " + (ar.failed() ? ar.cause() : "refused"));
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        } finally {
                            inFlight.release();
                            done.countDown();
                        }
                    });
        }
        done.await();
        double secs = (System.nanoTime() - t0) / 1e9;
        vertx.close();
        System.out.printf(
                "%s %d in %.2f s: %.0f enrolments/s (%d failed)%n",
                label, n - failed.get(), secs, (n - failed.get()) / secs, failed.get());
        return ids;
    }

    /** Blocks until the file exists, on file-system events rather than polling. */
    private static void awaitFile(java.nio.file.Path file) throws Exception {
        java.nio.file.Path dir = file.toAbsolutePath().getParent();
        try (var watch = dir.getFileSystem().newWatchService()) {
            dir.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            while (!java.nio.file.Files.exists(file)) {
                watch.poll(1, TimeUnit.SECONDS); // returns at once on a creation; the timeout covers a missed event
            }
        }
    }

    private final AtomicInteger granted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile CountDownLatch answered = new CountDownLatch(0);

    /**
     * Every live session sends its lease request at the same instant, as DAILY leases all lapse at midnight UTC
     * (real edges spread it over 30 s; this is the worst case). Prints how long until every one was answered.
     */
    private void rollover(java.util.Queue<WebSocket> live) throws Exception {
        awaitFile(rolloverFile);
        int colon = lease.indexOf(':');
        String request = codec.encode(
                FrameType.LEASE,
                "rollover",
                new Payloads.LeaseRequest(
                        List.of(new Payloads.Want(lease.substring(0, colon), lease.substring(colon + 1)))));
        List<WebSocket> sockets = new java.util.ArrayList<>(live);
        answered = new CountDownLatch(sockets.size());
        long t0 = System.nanoTime();
        for (WebSocket ws : sockets) {
            ws.writeTextMessage(request);
        }
        boolean all = answered.await(120, TimeUnit.SECONDS);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "ROLLOVER %d leases granted, %d refused, of %d sessions in %.2f s (%.0f/s)%s%n",
                granted.get(),
                refused.get(),
                sockets.size(),
                s,
                (granted.get() + refused.get()) / s,
                all ? "" : " (timed out waiting for the rest)");
    }

    private void drive(
            Vertx vertx,
            WebSocket ws,
            AtomicInteger online,
            AtomicInteger heartbeats,
            CountDownLatch settled,
            java.util.Queue<WebSocket> live) {
        Health health = new Health(
                0.5,
                0.4,
                0.3,
                512L << 20,
                2048L << 20,
                List.of(new Health.Disk("/", 10L << 30, 20L << 30)),
                3600,
                new Health.MonitorStatus("agent", "1.0", "RUNNING", null));
        String beat = codec.encode(FrameType.HEARTBEAT, null, new Payloads.Heartbeat(health));
        boolean[] welcomed = {false};
        ws.textMessageHandler(text -> {
            if (text.startsWith("{\"type\":\"leases\"")) {
                (text.contains("\"document\":\"") ? granted : refused).incrementAndGet();
                answered.countDown();
                return;
            }
            if (!welcomed[0] && text.contains("\"welcome\"")) {
                welcomed[0] = true;
                live.add(ws);
                online.incrementAndGet();
                settled.countDown();
                int interval = 15;
                try {
                    interval = json.readTree(text)
                            .at("/payload/heartbeatIntervalSeconds")
                            .asInt(15);
                } catch (Exception e) {
                    // keep the default
                }
                long ms = Duration.ofSeconds(interval).toMillis();
                // Spread the edges over the interval, as independent hosts would be.
                vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(ms), first -> {
                    ws.writeTextMessage(beat);
                    heartbeats.incrementAndGet();
                    vertx.setPeriodic(ms, p -> {
                        if (!ws.isClosed()) {
                            ws.writeTextMessage(beat);
                            heartbeats.incrementAndGet();
                        }
                    });
                });
            }
        });
        ws.closeHandler(v -> {
            if (welcomed[0]) {
                online.decrementAndGet();
            }
        });
        ws.writeTextMessage(
                codec.encode(FrameType.HELLO, "h", new Payloads.Hello(Limits.PROTOCOL_VERSION, List.of(), null)));
    }
}
