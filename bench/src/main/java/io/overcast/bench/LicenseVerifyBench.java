package io.overcast.bench;

import io.overcast.licensing.Keys;
import io.overcast.licensing.Lease;
import io.overcast.licensing.License;
import io.overcast.licensing.LicenseKind;
import io.overcast.licensing.Signer;
import io.overcast.licensing.Verifier;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Offline verification cost of a license and of a lease (what an edge does at start and on each renewal): median
 * and p99 in microseconds over N verifications after a warm-up, one thread. Usage: LicenseVerifyBench [N].
 * (Timed by hand, not JMH: the module has no annotation-processing set-up; the warm-up is ten times N.)
 */
public final class LicenseVerifyBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        KeyPair kp = Keys.generate();
        Signer signer = new Signer("k1", kp.getPrivate());
        Verifier verifier = new Verifier(Map.of("k1", kp.getPublic()));
        Instant now = Instant.now();
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
        UUID instance = UUID.randomUUID();
        Lease lease = new Lease(
                UUID.randomUUID(),
                license.id(),
                instance,
                "ntopng",
                "enterprise_m",
                now,
                now.plus(Duration.ofHours(26)));
        String licenseDoc = signer.sign(license);
        String leaseDoc = signer.sign(lease);
        System.out.println("java " + System.getProperty("java.version") + ", " + n + " verifications each");
        run("license", n, () -> verifier.license(licenseDoc, "box-1", now).valid());
        run("lease", n, () -> verifier.lease(leaseDoc, instance, now).valid());
    }

    private static void run(String what, int n, java.util.function.BooleanSupplier verify) {
        for (int i = 0; i < 10 * n; i++) {
            if (!verify.getAsBoolean()) {
                throw new IllegalStateException(what + " did not verify");
            }
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            if (!verify.getAsBoolean()) {
                throw new IllegalStateException(what + " did not verify");
            }
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("%s: median %.1f µs, p99 %.1f µs%n", what, t[n / 2] / 1e3, t[(int) (n * 0.99)] / 1e3);
    }
}
