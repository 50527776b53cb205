package io.overcast.controlplane.licensing;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * At most {@code permits} asynchronous operations in flight; the rest wait in memory, in order. Lease requests go
 * through one so that a burst (every DAILY lease lapses at midnight UTC) queues here instead of in the database
 * pool's wait queue, where it would hold up the heartbeat flush and the offline sweep behind it.
 */
final class AsyncLimiter {
    private final int permits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    AsyncLimiter(int permits) {
        this.permits = permits;
    }

    <T> Uni<T> run(Supplier<Uni<T>> operation) {
        return Uni.createFrom().emitter(emitter -> {
            // deferred: an operation that throws while building its Uni still gives its permit back.
            Runnable start = () -> Uni.createFrom()
                    .<T>deferred(operation::get)
                    .onTermination()
                    .invoke(this::release)
                    .subscribe()
                    .with(emitter::complete, emitter::fail);
            waiting.add(start);
            drain();
        });
    }

    int waiting() {
        return waiting.size();
    }

    private void release() {
        inFlight.decrementAndGet();
        drain();
    }

    private void drain() {
        while (true) {
            int n = inFlight.get();
            if (n >= permits || waiting.isEmpty()) {
                return;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                Runnable next = waiting.poll();
                if (next == null) {
                    inFlight.decrementAndGet();
                    continue;
                }
                next.run();
            }
        }
    }
}
