package io.overcast.licensing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Detects a clock moved backwards on an edge: it keeps a high-water mark of trusted times (its own clock as it
 * moves forward, and the control plane's time whenever it talks to it), persisted so a restart does not forget
 * it. A clock more than the tolerance behind the mark is refused: leases are not extended on it.
 */
public final class ClockGuard {
    /** Where the mark lives; a file on the edge, memory in tests. */
    public interface Store {
        Instant load() throws IOException;

        void save(Instant mark) throws IOException;
    }

    private final Store store;
    private final Duration tolerance;
    private Instant mark;

    public ClockGuard(Store store, Duration tolerance) throws IOException {
        this.store = store;
        this.tolerance = tolerance;
        Instant loaded = store.load();
        this.mark = loaded == null ? Instant.EPOCH : loaded;
    }

    /** True when {@code now} is acceptable; a time ahead of the mark raises it. */
    public synchronized boolean accept(Instant now) throws IOException {
        if (now.isBefore(mark.minus(tolerance))) {
            return false;
        }
        raise(now);
        return true;
    }

    /** A time vouched for by the control plane (from its signed answers) raises the mark. */
    public synchronized void trust(Instant serverTime) throws IOException {
        raise(serverTime);
    }

    public synchronized Instant mark() {
        return mark;
    }

    private void raise(Instant t) throws IOException {
        if (t.isAfter(mark)) {
            mark = t;
            store.save(t);
        }
    }

    /** A file holding the mark as ISO-8601, replaced atomically (owner-only permissions where supported). */
    public static Store file(Path path) {
        return new Store() {
            @Override
            public Instant load() throws IOException {
                if (!Files.exists(path)) {
                    return null;
                }
                try {
                    return Instant.parse(
                            Files.readString(path, StandardCharsets.UTF_8).strip());
                } catch (DateTimeParseException e) {
                    throw new IOException("the clock mark in " + path + " is corrupt; refusing to guess", e);
                }
            }

            @Override
            public void save(Instant m) throws IOException {
                Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
                Files.writeString(tmp, m.toString(), StandardCharsets.UTF_8);
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        };
    }
}
