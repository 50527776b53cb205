package io.overcast.bench;

import io.overcast.licensing.Keys;
import io.overcast.licensing.Lease;
import io.overcast.licensing.License;
import io.overcast.licensing.LicenseKind;
import io.overcast.licensing.Signer;
import io.overcast.licensing.Verification;
import io.overcast.licensing.Verifier;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Offline verification of a license and of a lease, as an edge does it at start and on each renewal: parse the
 * compact JWS, check the EdDSA signature against the key id's public key, the type and the dates. Sampled per
 * call (JMH SampleTime), so the report gives the median (p0.50) and the tail. Run: {@code bench/licensing.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LicenseVerifyJmh {
    private Verifier verifier;
    private String licenseDoc;
    private String leaseDoc;
    private UUID instance;
    private Instant now;

    @Setup
    public void setUp() {
        KeyPair kp = Keys.generate();
        Signer signer = new Signer("k1", kp.getPrivate());
        verifier = new Verifier(Map.of("k1", kp.getPublic()));
        now = Instant.now();
        License license = new License(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                "ntopng",
                "enterprise_m",
                LicenseKind.PERMANENT,
                "box-1",
                1,
                Map.of("interfaces", 8L),
                List.of("flows"),
                now.minusSeconds(60),
                null,
                now.plus(Duration.ofDays(365)));
        instance = UUID.randomUUID();
        Lease lease = new Lease(
                UUID.randomUUID(),
                license.id(),
                instance,
                "ntopng",
                "enterprise_m",
                now,
                now.plus(Duration.ofHours(26)));
        licenseDoc = signer.sign(license);
        leaseDoc = signer.sign(lease);
        if (!verifyLicense().valid() || !verifyLease().valid()) {
            throw new IllegalStateException("the documents do not verify");
        }
    }

    @Benchmark
    public Verification<License> verifyLicense() {
        return verifier.license(licenseDoc, "box-1", now);
    }

    @Benchmark
    public Verification<Lease> verifyLease() {
        return verifier.lease(leaseDoc, instance, now);
    }
}
