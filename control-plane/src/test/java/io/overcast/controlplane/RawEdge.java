package io.overcast.controlplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** A bare WebSocket to the session endpoint, to send whatever a broken or hostile edge might. */
final class RawEdge implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;

    /** Opens the session; fails (CompletionException) when TLS or the upgrade is refused. */
    static RawEdge connect(URI url, SSLContext tls) {
        RawEdge edge = new RawEdge();
        edge.ws = HttpClient.newBuilder()
                .sslContext(tls)
                .build()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(url, edge)
                .join();
        return edge;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            inbox.add(partial.toString());
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(code);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        closed.complete(-1);
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    /** Sends unless the connection is already closed; false once it is. */
    boolean trySend(String text) {
        try {
            send(text);
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            return false;
        }
    }

    String next() throws InterruptedException {
        String s = inbox.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return s;
    }

    int awaitClose(Duration within) throws Exception {
        return closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
