package io.overcast.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.security.PrivateKey;
import java.util.Objects;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * Signs licenses and leases as compact JWS with EdDSA (Ed25519), naming the key by its id so verifiers can hold
 * several (rotation). The private key stays with the issuer (sealed at rest by the control plane).
 */
public final class Signer {
    private final String keyId;
    private final PrivateKey key;

    public Signer(String keyId, PrivateKey key) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.key = Objects.requireNonNull(key, "key");
        if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("licenses are signed with Ed25519 keys, not " + key.getAlgorithm());
        }
    }

    public String keyId() {
        return keyId;
    }

    public String sign(License license) {
        return sign(license, Documents.LICENSE_TYPE);
    }

    public String sign(Lease lease) {
        return sign(lease, Documents.LEASE_TYPE);
    }

    private String sign(Object claims, String type) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(Documents.JSON.writeValueAsString(claims));
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.EDDSA);
            jws.setKeyIdHeaderValue(keyId);
            jws.setHeader("typ", type);
            jws.setKey(key);
            return jws.getCompactSerialization();
        } catch (JoseException | JsonProcessingException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }
}
