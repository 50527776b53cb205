package io.overcast.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The enrolment token string: {@code oct1.<prefix>.<secret>.<ca-sha256>}.
 *
 * <ul>
 *   <li>{@code prefix}: 12 lowercase base32 characters; identifies the token, safe to log.
 *   <li>{@code secret}: 43 base64url characters (256 bits); only its SHA-256 is stored.
 *   <li>{@code ca-sha256}: base64url SHA-256 of the deployment CA certificate (DER), so that an edge can pin
 *       the control plane on first contact without a public CA, as {@code kubeadm join
 *       --discovery-token-ca-cert-hash} does.
 * </ul>
 */
public record EnrollmentTokenFormat(String prefix, String secret, String caFingerprint) {
    public static final String SCHEME = "oct1";
    private static final Pattern SHAPE =
            Pattern.compile("oct1\\.([a-z2-7]{12})\\.([A-Za-z0-9_-]{43})\\.([A-Za-z0-9_-]{43})");

    /** Parses a token string; empty when it does not have the token's shape. */
    public static Optional<EnrollmentTokenFormat> parse(String token) {
        if (token == null) {
            return Optional.empty();
        }
        var m = SHAPE.matcher(token.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new EnrollmentTokenFormat(m.group(1), m.group(2), m.group(3)));
    }

    public String render() {
        return SCHEME + "." + prefix + "." + secret + "." + caFingerprint;
    }

    /** What may appear in logs. */
    public String masked() {
        return SCHEME + "." + prefix + ".***";
    }

    /** base64url (no padding) of the SHA-256 of the certificate's DER encoding. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
