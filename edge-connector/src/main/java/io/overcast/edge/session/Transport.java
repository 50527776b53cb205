package io.overcast.edge.session;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** One call per operation: open a WebSocket, send a text, close. The session loop does the rest. */
public interface Transport {
    /** Receives what happens on one connection. */
    interface Listener {
        void onText(String text);

        void onClosed(int code, String reason);

        void onError(Throwable error);
    }

    /** An open connection. */
    interface Connection {
        CompletableFuture<Void> send(String text);

        void close(int code, String reason);
    }

    CompletableFuture<Connection> connect(URI url, SSLContext tls, Listener listener);
}
