package io.overcast.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * ECDSA P-256 sign and verify with the JDK's SunEC and with Bouncy Castle, in the same run: the control plane
 * signs one certificate and verifies one CSR per enrolment, so this ratio decided which provider it uses.
 * {@code java -cp bench/target/loadgen.jar io.overcast.bench.SignatureBench [iterations]}
 */
public final class SignatureBench {
    private SignatureBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Provider bc = new BouncyCastleProvider();
        Provider sun = java.security.Security.getProvider("SunEC");
        // Warm both up first, then measure both, so neither is measured cold.
        for (int round = 0; round < 2; round++) {
            double[] s = run(sun, n);
            double[] b = run(bc, n);
            if (round == 1) {
                System.out.printf("%s, %d iterations%n", System.getProperty("java.vm.version"), n);
                System.out.printf("SunEC: sign %.0f us, verify %.0f us%n", s[0], s[1]);
                System.out.printf("BC:    sign %.0f us, verify %.0f us%n", b[0], b[1]);
                System.out.printf("BC/SunEC speed-up: sign %.1fx, verify %.1fx%n", s[0] / b[0], s[1] / b[1]);
            }
        }
    }

    private static double[] run(Provider p, int n) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] tbs = new byte[400]; // about a certificate's to-be-signed part
        Signature sig = Signature.getInstance("SHA256withECDSA", p);
        byte[] signature = null;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sig.initSign(kp.getPrivate());
            sig.update(tbs);
            signature = sig.sign();
        }
        long t1 = System.nanoTime();
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            sig.initVerify(kp.getPublic());
            sig.update(tbs);
            ok &= sig.verify(signature);
        }
        long t2 = System.nanoTime();
        if (!ok) {
            throw new IllegalStateException("verification failed");
        }
        return new double[] {(t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n};
    }
}
