package io.overcast.edge.session;

import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Keys;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and an edge identity signed by it, written to a state directory. */
final class TestIdentity {
    private TestIdentity() {}

    static EdgeState create(Path dir, Instant notBefore, Instant notAfter, List<String> urls, int heartbeat)
            throws Exception {
        KeyPair caKey = Keys.newKeyPair();
        X500Name caName = new X500Name("CN=test CA");
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
        X509Certificate ca = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                caName,
                                BigInteger.ONE,
                                Date.from(notBefore),
                                Date.from(notAfter.plusSeconds(3600)),
                                caName,
                                caKey.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                        .build(signer));
        KeyPair edgeKey = Keys.newKeyPair();
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                caName,
                                BigInteger.TWO,
                                Date.from(notBefore),
                                Date.from(notAfter),
                                new X500Name("CN=edge"),
                                edgeKey.getPublic())
                        .build(signer));
        EdgeState state = new EdgeState(dir);
        state.saveIdentity(
                Keys.pkcs8(edgeKey.getPrivate()),
                Keys.pem(cert),
                Keys.pem(ca),
                new EdgeState.Info("i-1", "t-1", urls, heartbeat, "ntopng", "edge"));
        return state;
    }
}
