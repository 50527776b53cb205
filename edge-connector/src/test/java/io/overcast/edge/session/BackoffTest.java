package io.overcast.edge.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = Backoff.standard(new java.util.Random(7));

    @Test
    void ceilingDoublesFromOneSecondAndStopsAtSixty() {
        assertEquals(Duration.ofSeconds(1), backoff.ceiling(0));
        assertEquals(Duration.ofSeconds(2), backoff.ceiling(1));
        assertEquals(Duration.ofSeconds(32), backoff.ceiling(5));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(6));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(40));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(Integer.MAX_VALUE));
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRange() {
        var b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 10_000; i++) {
            long d = b.delay(10).toMillis();
            assertTrue(d >= 0 && d <= 60_000, "delay within [0, cap]: " + d);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(min < 1_000, "some retries come back almost at once: " + min);
        assertTrue(max > 59_000, "some wait nearly the cap: " + max);
    }
}
