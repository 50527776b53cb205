package io.overcast.edge.session;

import io.overcast.protocol.Limits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;

/** {@link Transport} over the JDK's HTTP client WebSocket. One HTTP client per TLS identity. */
public final class JdkWebSocketTransport implements Transport {
    private final Map<SSLContext, HttpClient> clients = new WeakHashMap<>();

    private synchronized HttpClient client(SSLContext tls) {
        return clients.computeIfAbsent(tls, t -> HttpClient.newBuilder()
                .sslContext(t)
                .connectTimeout(Duration.ofSeconds(10))
                .build());
    }

    @Override
    public CompletableFuture<Connection> connect(URI url, SSLContext tls, Listener listener) {
        return client(tls)
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(url, new Adapter(listener))
                .thenApply(ws -> new Connection() {
                    @Override
                    public CompletableFuture<Void> send(String text) {
                        synchronized (ws) {
                            return ws.sendText(text, true).thenApply(w -> null);
                        }
                    }

                    @Override
                    public void close(int code, String reason) {
                        ws.sendClose(code, reason).whenComplete((w, e) -> ws.abort());
                    }
                });
    }

    /** Reassembles fragmented text messages, refusing any larger than a frame may be. */
    private static final class Adapter implements WebSocket.Listener {
        private final Listener listener;
        private final StringBuilder partial = new StringBuilder();

        Adapter(Listener listener) {
            this.listener = listener;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (partial.length() > Limits.MAX_FRAME_BYTES) {
                ws.abort();
                listener.onError(new IllegalStateException("server frame exceeds " + Limits.MAX_FRAME_BYTES));
                return null;
            }
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                listener.onText(text);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            listener.onClosed(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            listener.onError(error);
        }
    }
}
