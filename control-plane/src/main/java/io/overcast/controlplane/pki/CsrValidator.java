package io.overcast.controlplane.pki;

import io.overcast.controlplane.error.ApiException;
import java.io.IOException;
import java.io.StringReader;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Checks a PKCS#10 request from an edge. The control plane alone names an instance, so a CSR must have an empty
 * subject and request no extensions; its key is ECDSA P-256 or Ed25519; its signature proves possession.
 * Every failure is a 400 with one of the codes {@code csr_malformed}, {@code csr_signature_invalid},
 * {@code csr_key_type_unsupported}, {@code csr_identity_not_allowed}.
 */
public final class CsrValidator {
    private static final int MAX_PEM_CHARS = 8192;

    private CsrValidator() {}

    public static PublicKey validate(String pem) {
        if (pem == null || pem.isBlank() || pem.length() > MAX_PEM_CHARS) {
            throw ApiException.badRequest("csr_malformed", "csr must be a PEM CERTIFICATE REQUEST");
        }
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (!(o instanceof PKCS10CertificationRequest r)) {
                throw ApiException.badRequest("csr_malformed", "csr must be a PEM CERTIFICATE REQUEST");
            }
            csr = r;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.badRequest("csr_malformed", "csr cannot be parsed");
        }
        JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(csr);
        PublicKey key;
        try {
            key = jca.getPublicKey();
        } catch (Exception e) {
            throw ApiException.badRequest("csr_key_type_unsupported", "csr key cannot be read");
        }
        if (!isSupported(key)) {
            throw ApiException.badRequest(
                    "csr_key_type_unsupported", "csr key must be ECDSA P-256 or Ed25519, got " + key.getAlgorithm());
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
                    .setProvider(CertificateAuthority.BC)
                    .build(key))) {
                throw ApiException.badRequest("csr_signature_invalid", "csr signature does not verify");
            }
        } catch (OperatorCreationException | PKCSException e) {
            throw ApiException.badRequest("csr_signature_invalid", "csr signature cannot be verified");
        }
        if (csr.getSubject().getRDNs().length > 0) {
            throw ApiException.badRequest(
                    "csr_identity_not_allowed", "csr subject must be empty: the control plane names the instance");
        }
        if (csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest).length > 0) {
            throw ApiException.badRequest(
                    "csr_identity_not_allowed", "csr must not request extensions such as subject alternative names");
        }
        return key;
    }

    private static final ECParameterSpec P256 = p256();

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp256r1"));
            return ap.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isSupported(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getOrder().equals(P256.getOrder())
                    && ec.getParams().getGenerator().equals(P256.getGenerator());
        }
        return "Ed25519".equalsIgnoreCase(key.getAlgorithm()) || "EdDSA".equalsIgnoreCase(key.getAlgorithm());
    }
}
