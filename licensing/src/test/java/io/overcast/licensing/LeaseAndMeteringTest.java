package io.overcast.licensing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grace after the cloud goes away, refusing a clock moved backwards, and metering keys. */
class LeaseAndMeteringTest {
    private static final Instant T0 = Instant.parse("2026-11-26T23:00:00Z");
    private final Lease lease = new Lease(
            UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "ntopng", "pro", T0, T0.plusSeconds(3600));

    @Test
    void licensedThenGraceThenUnlicensed() {
        Duration grace = Duration.ofHours(24);
        assertEquals(
                LeaseRules.State.LICENSED,
                LeaseRules.evaluate(lease, T0.plusSeconds(60), true, grace).state());
        LeaseRules.Status g = LeaseRules.evaluate(lease, T0.plusSeconds(7200), true, grace);
        assertEquals(LeaseRules.State.GRACE, g.state());
        assertEquals(T0.plusSeconds(3600).plus(grace), g.until());
        LeaseRules.Status u = LeaseRules.evaluate(lease, T0.plusSeconds(3600).plus(grace), true, grace);
        assertEquals(LeaseRules.State.UNLICENSED, u.state());
        assertEquals(Problem.EXPIRED, u.problem());
        assertEquals(
                LeaseRules.State.UNLICENSED,
                LeaseRules.evaluate(null, T0, true, grace).state());
    }

    @Test
    void aClockMovedBackwardsIsRefusedAndRememberedAcrossRestarts(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("clock-mark");
        ClockGuard guard = new ClockGuard(ClockGuard.file(file), Duration.ofMinutes(5));
        assertTrue(guard.accept(T0));
        guard.trust(T0.plusSeconds(600)); // the control plane's time
        assertTrue(guard.accept(T0.plusSeconds(400)), "within the tolerance of the mark");
        assertFalse(guard.accept(T0.minus(Duration.ofDays(3))), "a clock three days back");
        ClockGuard restarted = new ClockGuard(ClockGuard.file(file), Duration.ofMinutes(5));
        assertEquals(T0.plusSeconds(600), restarted.mark());
        assertFalse(restarted.accept(T0.minus(Duration.ofHours(1))));
        LeaseRules.Status s = LeaseRules.evaluate(lease, T0.minus(Duration.ofHours(1)), false, Duration.ofDays(1));
        assertEquals(LeaseRules.State.UNLICENSED, s.state());
        assertEquals(Problem.CLOCK_ROLLED_BACK, s.problem());
        Files.writeString(file, "yesterday-ish");
        assertThrows(IOException.class, () -> new ClockGuard(ClockGuard.file(file), Duration.ofMinutes(5)));
    }

    @Test
    void usageDaysAreUtcAndTheirIdentifiersStableAndDistinct() {
        assertEquals(
                List.of(LocalDate.parse("2026-11-26"), LocalDate.parse("2026-11-27")),
                List.copyOf(UsageDay.daysTouched(T0, T0.plusSeconds(7200))));
        assertEquals(1, UsageDay.daysTouched(T0, T0).size());
        assertThrows(IllegalArgumentException.class, () -> UsageDay.daysTouched(T0, T0.minusSeconds(1)));
        UUID license = UUID.randomUUID();
        UUID instance = UUID.randomUUID();
        UsageDay a = new UsageDay(license, instance, "ntopng", "pro", LocalDate.parse("2026-11-26"));
        UsageDay same = new UsageDay(license, instance, "ntopng", "pro", LocalDate.parse("2026-11-26"));
        assertEquals(a.identifier(), same.identifier(), "a retry names the same meter event");
        assertTrue(a.identifier().length() <= 100 && a.identifier().startsWith("ovc_"));
        assertNotEquals(
                a.identifier(), new UsageDay(license, instance, "ntopng", "enterprise_m", a.day()).identifier());
        assertNotEquals(
                a.identifier(),
                new UsageDay(license, instance, "ntopng", "pro", a.day().plusDays(1)).identifier());
    }
}
