package io.overcast.overlay.device;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handshakes per source address, as wireguard-go's ratelimiter: a token bucket of 20 per second with a burst of 5,
 * applied only while the device is under load and only to sources that proved their address with a valid MAC2.
 * Entries idle for a second are swept so a flood of spoofed sources cannot grow the table without bound.
 */
final class RateLimiter {
    static final long PACKETS_PER_SECOND = 20;
    static final long BURST = 5;
    private static final long COST = 1_000_000_000L / PACKETS_PER_SECOND;
    private static final long MAX_TOKENS = COST * BURST;
    private static final int MAX_ENTRIES = 1 << 16;

    private static final class Entry {
        long lastNanos;
        long tokens;
    }

    private record Key(byte[] address) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(address, k.address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address);
        }
    }

    private final ConcurrentHashMap<Key, Entry> table = new ConcurrentHashMap<>();

    boolean allow(byte[] address, long now) {
        if (table.size() > MAX_ENTRIES) {
            sweep(now);
            if (table.size() > MAX_ENTRIES) {
                return false;
            }
        }
        Entry e = table.computeIfAbsent(new Key(address.clone()), k -> {
            Entry n = new Entry();
            n.lastNanos = now;
            n.tokens = MAX_TOKENS;
            return n;
        });
        synchronized (e) {
            e.tokens = Math.min(MAX_TOKENS, e.tokens + (now - e.lastNanos));
            e.lastNanos = now;
            if (e.tokens >= COST) {
                e.tokens -= COST;
                return true;
            }
            return false;
        }
    }

    void sweep(long now) {
        table.values().removeIf(e -> {
            synchronized (e) {
                return now - e.lastNanos > 1_000_000_000L;
            }
        });
    }
}
