package io.overcast.controlplane.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM reading and writing through Bouncy Castle. */
public final class Pem {
    private Pem() {}

    public static String write(Object... objects) {
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

    /** A private key as PKCS#8 PEM ("PRIVATE KEY"), the form every TLS stack reads. */
    public static String pkcs8(PrivateKey key) {
        try {
            return write(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> certs = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o;
            var conv = new JcaX509CertificateConverter();
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(conv.getCertificate(h));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificate in PEM");
        }
        return certs;
    }

    public static PublicKey publicKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            if (p.readObject() instanceof SubjectPublicKeyInfo info) {
                return new JcaPEMKeyConverter().getPublicKey(info);
            }
            throw new IllegalArgumentException("no public key in PEM");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM public key: " + e.getMessage());
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
            throw new IllegalArgumentException("no unencrypted private key in PEM");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key: " + e.getMessage());
        }
    }
}
