package io.overcast.controlplane;

import io.overcast.edge.identity.Keys;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** CSRs good and bad, made the way an attacker or a broken edge would. */
final class Csrs {
    private Csrs() {}

    static String good() {
        return Keys.csr(Keys.newKeyPair());
    }

    static String withSubject(String subject) throws Exception {
        KeyPair kp = Keys.newKeyPair();
        return Keys.pem(new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    static String withSan(String uri) throws Exception {
        KeyPair kp = Keys.newKeyPair();
        var ext = new ExtensionsGenerator();
        ext.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
        return Keys.pem(new JcaPKCS10CertificationRequestBuilder(
                        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    static String rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        return Keys.pem(new JcaPKCS10CertificationRequestBuilder(
                        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    }

    /** A CSR whose public key is swapped after signing: the signature no longer verifies. */
    static String badSignature() throws Exception {
        KeyPair signer = Keys.newKeyPair();
        KeyPair other = Keys.newKeyPair();
        var req = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), other.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        return Keys.pem(req);
    }
}
