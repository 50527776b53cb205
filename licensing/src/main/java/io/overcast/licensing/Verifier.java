package io.overcast.licensing;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * Verifies licenses and leases offline: only this library and the issuer's public keys by key id are needed. Only
 * EdDSA is accepted (no "none", no HMAC: no algorithm confusion), the document type must match, and the dates
 * and binding (system id, instance) are checked against the time given, which the caller has checked against its
 * clock guard.
 */
public final class Verifier {
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows. */
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    private final Map<String, byte[]> keys;

    public Verifier(Map<String, PublicKey> keys) {
        Objects.requireNonNull(keys, "keys");
        Map<String, byte[]> raw = new java.util.HashMap<>();
        keys.forEach((id, key) -> raw.put(id, rawEd25519(key)));
        this.keys = Map.copyOf(raw);
    }

    private static byte[] rawEd25519(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki == null
                || spki.length != ED25519_SPKI_PREFIX.length + 32
                || !java.util.Arrays.equals(
                        java.util.Arrays.copyOf(spki, ED25519_SPKI_PREFIX.length), ED25519_SPKI_PREFIX)) {
            throw new IllegalArgumentException("licenses are verified with Ed25519 keys, not " + key.getAlgorithm());
        }
        return java.util.Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length);
    }

    /**
     * A license for this system (null: do not check node locking, e.g. on the issuing side) at {@code now} (null:
     * do not check dates, for the issuer re-reading a document it signed).
     */
    public Verification<License> license(String document, String systemId, Instant now) {
        Verification<License> v = open(document, Documents.LICENSE_TYPE, License.class);
        if (!(v instanceof Verification.Valid<License> ok)) {
            return v;
        }
        License l = ok.claims();
        if (now == null) {
            return v; // the issuer re-reading its own document: signature and type only
        }
        if (now.isBefore(l.notBefore())) {
            return new Verification.Invalid<>(Problem.NOT_YET_VALID, "the license starts at " + l.notBefore());
        }
        if (l.expiresAt() != null && !now.isBefore(l.expiresAt())) {
            return new Verification.Invalid<>(Problem.EXPIRED, "the license ended at " + l.expiresAt());
        }
        if (l.systemId() != null && systemId != null && !l.systemId().equals(systemId)) {
            return new Verification.Invalid<>(Problem.WRONG_SYSTEM, "the license is bound to another system");
        }
        return v;
    }

    /**
     * A lease for this instance, valid at {@code now}; with {@code now} null the dates are not checked (the edge
     * then applies {@link LeaseRules}, which allow a grace period after the lease lapsed).
     */
    public Verification<Lease> lease(String document, java.util.UUID instanceId, Instant now) {
        Verification<Lease> v = open(document, Documents.LEASE_TYPE, Lease.class);
        if (!(v instanceof Verification.Valid<Lease> ok)) {
            return v;
        }
        Lease l = ok.claims();
        if (!l.instanceId().equals(instanceId)) {
            return new Verification.Invalid<>(Problem.WRONG_INSTANCE, "the lease is for another instance");
        }
        if (now == null) {
            return v;
        }
        if (now.isBefore(l.issuedAt())) {
            return new Verification.Invalid<>(Problem.NOT_YET_VALID, "the lease starts at " + l.issuedAt());
        }
        if (!now.isBefore(l.validUntil())) {
            return new Verification.Invalid<>(Problem.EXPIRED, "the lease ended at " + l.validUntil());
        }
        return v;
    }

    private <T> Verification<T> open(String document, String type, Class<T> claims) {
        if (document == null || document.isBlank() || document.length() > 16_384) {
            return new Verification.Invalid<>(Problem.MALFORMED, "not a signed document");
        }
        JsonWebSignature jws = new JsonWebSignature();
        try {
            jws.setAlgorithmConstraints(
                    new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.EDDSA));
            jws.setCompactSerialization(document.strip());
        } catch (JoseException | RuntimeException e) {
            return new Verification.Invalid<>(Problem.MALFORMED, "not a compact JWS");
        }
        if (!AlgorithmIdentifiers.EDDSA.equals(jws.getAlgorithmHeaderValue())) {
            return new Verification.Invalid<>(
                    Problem.UNSUPPORTED_ALGORITHM, "only EdDSA is accepted, not " + jws.getAlgorithmHeaderValue());
        }
        String keyId = jws.getKeyIdHeaderValue();
        byte[] key = keyId == null ? null : keys.get(keyId);
        if (key == null) {
            return new Verification.Invalid<>(Problem.UNKNOWN_KEY, "signed with an unknown key " + keyId);
        }
        if (!type.equals(jws.getHeader("typ"))) {
            return new Verification.Invalid<>(Problem.WRONG_TYPE, "expected a " + type);
        }
        try {
            // The EdDSA check itself, over the JWS signing input (RFC 7515 §5.2, RFC 8037), with Bouncy Castle's
            // RFC 8032 verification: it refuses non-canonical signatures and points, as the JDK's does.
            String compact = document.strip();
            int second = compact.lastIndexOf('.');
            byte[] input = compact.substring(0, second).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] signature = java.util.Base64.getUrlDecoder().decode(compact.substring(second + 1));
            if (signature.length != org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE
                    || !org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key, 0, input, 0, input.length)) {
                return new Verification.Invalid<>(Problem.BAD_SIGNATURE, "the signature does not verify");
            }
            return new Verification.Valid<>(Documents.JSON.readValue(jws.getUnverifiedPayload(), claims), keyId);
        } catch (IllegalArgumentException e) {
            return new Verification.Invalid<>(Problem.BAD_SIGNATURE, "the signature does not verify");
        } catch (java.io.IOException | RuntimeException e) {
            return new Verification.Invalid<>(Problem.MALFORMED, "the claims are not a valid document");
        }
    }
}
