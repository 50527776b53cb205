package io.overcast.controlplane.pki;

import io.overcast.protocol.EnrollmentTokenFormat;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** The deployment CA: issues the control plane's server certificate and the instances' client certificates. */
public final class CertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Bouncy Castle's P-256 is 4-10x faster than the JDK 17 SunEC implementation here (see BENCHMARKS.md), and
     * every enrolment and renewal signs one certificate: use it explicitly, without registering it globally.
     */
    static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String fingerprint;

    public CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = EnrollmentTokenFormat.fingerprint(certificate);
    }

    /** A new self-signed CA on ECDSA P-256, valid ten years. */
    public static CertificateAuthority generate(String trustDomain) {
        KeyPair kp = newKeyPair();
        X500Name name = new X500Name("CN=Overcast deployment CA, O=" + trustDomain.replace(",", ""));
        Instant now = Instant.now();
        try {
            var ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minusSeconds(300)),
                            Date.from(now.plus(Duration.ofDays(3650))),
                            name,
                            kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate());
        } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("CA generation failed", e);
        }
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS server certificate for the given DNS names and IP addresses. */
    public X509Certificate issueServer(PublicKey key, List<String> names, Duration validity) {
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            sans.add(
                    isIpLiteral(n)
                            ? new GeneralName(GeneralName.iPAddress, n)
                            : new GeneralName(GeneralName.dNSName, n));
        }
        return issue(
                key,
                new X500Name("CN=" + names.get(0)),
                validity,
                new GeneralNames(sans.toArray(GeneralName[]::new)),
                KeyPurposeId.id_kp_serverAuth);
    }

    /** An instance's client certificate: subject CN is the instance id, URI SAN its SPIFFE id. */
    public X509Certificate issueInstance(PublicKey key, String instanceId, String spiffeId, Duration validity) {
        return issue(
                key,
                new X500Name("CN=" + instanceId),
                validity,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)),
                KeyPurposeId.id_kp_clientAuth);
    }

    private X509Certificate issue(
            PublicKey key, X500Name subject, Duration validity, GeneralNames sans, KeyPurposeId purpose) {
        Instant now = Instant.now();
        try {
            var ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(),
                            Date.from(now.minusSeconds(60)),
                            Date.from(now.plus(validity)),
                            subject,
                            key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false, sans)
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            return sign(b, privateKey);
        } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("certificate issuance failed", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(BC)
                    .build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private static boolean isIpLiteral(String s) {
        if (s.matches("[0-9.]+") || s.contains(":")) {
            try {
                InetAddress.getByName(s);
                return true;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** base64url SHA-256 of the CA certificate, as carried in enrolment tokens. */
    public String fingerprint() {
        return fingerprint;
    }

    public String certificatePem() {
        return Pem.write(certificate);
    }
}
