package io.overcast.edge.licensing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.overcast.licensing.Keys;
import io.overcast.licensing.Lease;
import io.overcast.licensing.License;
import io.overcast.licensing.LicenseKind;
import io.overcast.licensing.Signer;
import io.overcast.protocol.Payloads;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge's licensing with a hand-driven clock and documents signed here as the control plane signs them. */
class EdgeLicensingTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final Payloads.Want NTOPNG = new Payloads.Want("ntopng", "enterprise_l");
    private static final Payloads.Want NPROBE = new Payloads.Want("nprobe", "pro");
    private static final Duration GRACE = Duration.ofHours(24);

    private final KeyPair issuer = Keys.generate();
    private final Signer signer = new Signer("k1", issuer.getPrivate());
    private final UUID instance = UUID.randomUUID();
    private final MutableClock clock = new MutableClock(T0);

    @TempDir
    Path dir;

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private EdgeLicensing edge() {
        return new EdgeLicensing(List.of(NTOPNG, NPROBE), dir, instance, "box-1", clock, GRACE, Duration.ofMinutes(10));
    }

    private String lease(UUID forInstance, Instant until) {
        return signer.sign(new Lease(
                UUID.randomUUID(), UUID.randomUUID(), forInstance, "ntopng", "enterprise_l", clock.now, until));
    }

    private Payloads.Leases answer(String document, String renewAfter) {
        return new Payloads.Leases(
                clock.now.toString(),
                Map.of("k1", Keys.encode(issuer.getPublic())),
                List.of(
                        new Payloads.Grant("ntopng", "enterprise_l", "DAILY", "l1", document, renewAfter, null),
                        new Payloads.Grant(
                                "nprobe",
                                "pro",
                                null,
                                null,
                                null,
                                null,
                                new Payloads.Error("not_licensed", "no active license"))));
    }

    private static Payloads.LicenseState state(EdgeLicensing e, Payloads.Want w) {
        return e.states().stream()
                .filter(s -> s.product().equals(w.product()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aLeaseIsLicensedSurvivesARestartThenGraceThenUnlicensed() {
        EdgeLicensing e = edge();
        assertEquals("UNLICENSED", state(e, NTOPNG).state());
        assertEquals(T0, e.nextRequest(), "nothing held: ask at once");
        Instant until = T0.plus(Duration.ofHours(14));
        e.granted(answer(lease(instance, until), T0.plus(Duration.ofHours(13)).toString()));
        assertEquals("LICENSED", state(e, NTOPNG).state());
        assertEquals(until.toString(), state(e, NTOPNG).until());
        assertEquals("not_licensed", state(e, NPROBE).problem());
        assertEquals(T0.plus(EdgeLicensing.RETRY), e.nextRequest(), "the refused product is asked again first");

        // The edge restarts with the cloud away: what it held is on disk and still verifies.
        clock.now = T0.plus(Duration.ofHours(15));
        EdgeLicensing restarted = edge();
        Payloads.LicenseState grace = state(restarted, NTOPNG);
        assertEquals("GRACE", grace.state());
        assertEquals(until.plus(GRACE).toString(), grace.until());
        clock.now = until.plus(GRACE);
        Payloads.LicenseState lapsed = state(restarted, NTOPNG);
        assertEquals("UNLICENSED", lapsed.state());
        assertEquals("expired", lapsed.problem());
    }

    @Test
    void aTamperedLeaseIsRefusedAndWhatWasHeldStays() {
        EdgeLicensing e = edge();
        Instant until = T0.plus(Duration.ofHours(14));
        e.granted(answer(lease(instance, until), null));
        String good = lease(instance, T0.plus(Duration.ofHours(20)));
        int i = good.indexOf('.') + 10;
        String tampered = good.substring(0, i) + (good.charAt(i) == 'A' ? 'B' : 'A') + good.substring(i + 1);
        e.granted(answer(tampered, null));
        Payloads.LicenseState s = state(e, NTOPNG);
        assertEquals("LICENSED", s.state());
        assertEquals(until.toString(), s.until(), "the earlier lease is still the one held");
    }

    @Test
    void aLeaseForAnotherInstanceOrFromAnUnknownKeyIsRefused() {
        EdgeLicensing e = edge();
        e.granted(answer(lease(UUID.randomUUID(), T0.plus(Duration.ofHours(2))), null));
        assertEquals("UNLICENSED", state(e, NTOPNG).state());
        assertEquals("wrong_instance", state(e, NTOPNG).problem());
        Signer stranger = new Signer("k9", Keys.generate().getPrivate());
        e.granted(answer(
                stranger.sign(new Lease(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        instance,
                        "ntopng",
                        "enterprise_l",
                        T0,
                        T0.plus(Duration.ofHours(2)))),
                null));
        assertEquals("unknown_key", state(e, NTOPNG).problem());
    }

    @Test
    void aClockMovedBackwardsMakesEverythingUnlicensedAndExtendsNothing() {
        EdgeLicensing e = edge();
        e.granted(answer(lease(instance, T0.plus(Duration.ofHours(14))), null));
        assertEquals("LICENSED", state(e, NTOPNG).state());
        clock.now = T0.minus(Duration.ofDays(2));
        Payloads.LicenseState s = state(e, NTOPNG);
        assertEquals("UNLICENSED", s.state());
        assertEquals("clock_rolled_back", s.problem());
        // A lease offered while the clock is wrong is not taken.
        e.granted(answer(lease(instance, clock.now.plus(Duration.ofDays(30))), null));
        clock.now = T0.plus(Duration.ofHours(1));
        assertEquals(T0.plus(Duration.ofHours(14)).toString(), state(e, NTOPNG).until());
    }

    @Test
    void anAssignedLicenseCountsOnlyOnItsSystem() {
        License mine = new License(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                "ntopng",
                "enterprise_l",
                LicenseKind.PERMANENT,
                "box-1",
                1,
                null,
                null,
                T0.minusSeconds(60),
                null,
                T0.plus(Duration.ofDays(365)));
        License theirs = new License(
                UUID.randomUUID(),
                mine.organizationId(),
                mine.tenantId(),
                "ntopng",
                "enterprise_l",
                LicenseKind.PERMANENT,
                "box-2",
                1,
                null,
                null,
                T0.minusSeconds(60),
                null,
                null);
        EdgeLicensing e = edge();
        var keys = Map.of("k1", Keys.encode(issuer.getPublic()));
        e.granted(new Payloads.Leases(
                T0.toString(),
                keys,
                List.of(new Payloads.Grant(
                        "ntopng", "enterprise_l", "PERMANENT", "p", signer.sign(theirs), null, null))));
        assertEquals("wrong_system", state(e, NTOPNG).problem());
        e.granted(new Payloads.Leases(
                T0.toString(),
                keys,
                List.of(new Payloads.Grant(
                        "ntopng", "enterprise_l", "PERMANENT", "p", signer.sign(mine), null, null))));
        Payloads.LicenseState s = state(e, NTOPNG);
        assertEquals("LICENSED", s.state());
        assertEquals("PERMANENT", s.kind());
        assertNull(s.until(), "perpetual");
    }
}
