package io.overcast.edge.session;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** A transport whose connections the test opens, feeds and closes by hand. */
final class FakeTransport implements Transport {
    final class FakeConnection implements Connection {
        final URI url;
        final Listener listener;
        final List<String> sent = new ArrayList<>();
        boolean closed;

        FakeConnection(URI url, Listener listener) {
            this.url = url;
            this.listener = listener;
        }

        @Override
        public CompletableFuture<Void> send(String text) {
            sent.add(text);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close(int code, String reason) {
            closed = true;
        }
    }

    final List<URI> attempts = new ArrayList<>();
    final List<java.time.Instant> attemptTimes = new ArrayList<>();
    java.util.function.Supplier<java.time.Instant> clock = java.time.Instant::now;
    final List<FakeConnection> connections = new ArrayList<>();
    boolean refuse;

    @Override
    public CompletableFuture<Connection> connect(URI url, SSLContext tls, Listener listener) {
        attempts.add(url);
        attemptTimes.add(clock.get());
        if (refuse) {
            return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        }
        FakeConnection c = new FakeConnection(url, listener);
        connections.add(c);
        return CompletableFuture.completedFuture(c);
    }

    FakeConnection last() {
        return connections.get(connections.size() - 1);
    }
}
