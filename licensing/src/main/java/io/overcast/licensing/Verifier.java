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
    private final Map<String, PublicKey> keys;

    public Verifier(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(Objects.requireNonNull(keys, "keys"));
    }

    /** A license for this system (null: do not check node locking, e.g. on the issuing side). */
    public Verification<License> license(String document, String systemId, Instant now) {
        Verification<License> v = open(document, Documents.LICENSE_TYPE, License.class);
        if (!(v instanceof Verification.Valid<License> ok)) {
            return v;
        }
        License l = ok.claims();
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
        PublicKey key = keyId == null ? null : keys.get(keyId);
        if (key == null) {
            return new Verification.Invalid<>(Problem.UNKNOWN_KEY, "signed with an unknown key " + keyId);
        }
        if (!type.equals(jws.getHeader("typ"))) {
            return new Verification.Invalid<>(Problem.WRONG_TYPE, "expected a " + type);
        }
        try {
            jws.setKey(key);
            if (!jws.verifySignature()) {
                return new Verification.Invalid<>(Problem.BAD_SIGNATURE, "the signature does not verify");
            }
            return new Verification.Valid<>(Documents.JSON.readValue(jws.getUnverifiedPayload(), claims), keyId);
        } catch (JoseException e) {
            return new Verification.Invalid<>(Problem.BAD_SIGNATURE, "the signature does not verify");
        } catch (java.io.IOException | RuntimeException e) {
            return new Verification.Invalid<>(Problem.MALFORMED, "the claims are not a valid document");
        }
    }
}
