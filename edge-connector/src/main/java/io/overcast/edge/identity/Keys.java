package io.overcast.edge.identity;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The edge's key pair, its CSR and the TLS context built from them; Bouncy Castle does the PEM and PKCS#10. */
public final class Keys {
    private Keys() {}

    /** A fresh ECDSA P-256 key pair, made on this host. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CSR with an empty subject: the control plane names the instance. */
    public static String csr(KeyPair kp) {
        try {
            var req = new JcaPKCS10CertificationRequestBuilder(
                            new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            return pem(req);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A private key as PKCS#8 PEM ("PRIVATE KEY"). */
    public static String pkcs8(PrivateKey key) {
        try {
            return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PrivateKey privateKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            var conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IllegalArgumentException("no private key in PEM");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key", e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no certificate in PEM");
        }
        return out;
    }

    /** TLS that presents the edge's certificate and trusts only the deployment CA. */
    public static SSLContext mutualTls(String keyPem, String certPem, String caPem) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<X509Certificate> chain = new ArrayList<>(certificates(certPem));
            chain.addAll(certificates(caPem));
            ks.setKeyEntry("edge", privateKey(keyPem), new char[0], chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trustOnly(caPem), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the edge's TLS context", e);
        }
    }

    static javax.net.ssl.TrustManager[] trustOnly(String caPem) throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate ca : certificates(caPem)) {
            ts.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }
}
