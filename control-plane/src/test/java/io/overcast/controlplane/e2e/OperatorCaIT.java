package io.overcast.controlplane.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.overcast.controlplane.e2e.Processes.Proc;
import io.overcast.controlplane.pki.CertificateAuthority;
import io.overcast.controlplane.pki.Pem;
import io.overcast.edge.identity.Keys;
import io.overcast.protocol.EnrollmentTokenFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A private cloud brings its own CA: the control plane serves and issues from it, and tokens pin it. */
class OperatorCaIT {
    @Test
    void theOperatorsCaIsUsedForTheServerAndTheTokens() throws Exception {
        String db = "overcast_own_ca";
        Processes.freshDatabase(db);
        // The operator's CA, made with Bouncy Castle as an operator's own tooling would.
        var kp = CertificateAuthority.newKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=Private Cloud Root");
        var own = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                                name,
                                java.math.BigInteger.valueOf(42),
                                new java.util.Date(),
                                new java.util.Date(System.currentTimeMillis() + 86_400_000L * 365),
                                name,
                                kp.getPublic())
                        .addExtension(
                                org.bouncycastle.asn1.x509.Extension.basicConstraints,
                                true,
                                new org.bouncycastle.asn1.x509.BasicConstraints(0))
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                                .build(kp.getPrivate())));
        Path dir = Files.createTempDirectory("own-ca");
        Path cert = dir.resolve("ca.pem");
        Path key = dir.resolve("ca.key");
        Files.writeString(cert, Pem.write(own));
        Files.writeString(key, Pem.pkcs8(kp.getPrivate()));
        int port = Processes.freePort();
        Map<String, String> env = Processes.controlPlaneEnv(db, port, 2525);
        env.put("OVERCAST_PKI_CA_CERT_FILE", cert.toString());
        env.put("OVERCAST_PKI_CA_KEY_FILE", key.toString());
        try (Proc cp = Processes.controlPlane("own-ca", env)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ApiClient.healthy(port, db));
            // ApiClient trusts only what the database holds as the CA: the operator's.
            ApiClient api = new ApiClient(db, port).login("admin@example.test", "an e2e password");
            String tenant = api.post("/api/v1/tenants", Map.of("name", "private"))
                    .get("id")
                    .asText();
            String token = api.post("/api/v1/tenants/" + tenant + "/enrollment-tokens", Map.of("name", "t"))
                    .get("token")
                    .asText();
            assertEquals(
                    EnrollmentTokenFormat.fingerprint(own),
                    EnrollmentTokenFormat.parse(token).orElseThrow().caFingerprint());
            Path state = Files.createTempDirectory("own-ca-edge");
            assertEquals(
                    0,
                    Processes.edgeCommand(
                            "own-ca-enroll",
                            "enroll",
                            "--server",
                            api.base().toString(),
                            "--token",
                            token,
                            "--state-dir",
                            state.toString(),
                            "--system-id",
                            "own-ca-1"));
            var issued = Keys.certificates(Files.readString(state.resolve("cert.pem")))
                    .get(0);
            issued.verify(own.getPublicKey());
        }
    }
}
