package io.overcast.controlplane.licensing;

import io.overcast.controlplane.pki.KeyMaterialStore;
import io.overcast.controlplane.pki.PkiService;
import io.overcast.licensing.Keys;
import io.overcast.licensing.Signer;
import io.overcast.licensing.Verifier;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;

/**
 * The Ed25519 key that signs licenses and leases, created once per deployment and sealed in the database under the
 * master key like the CA (a private cloud therefore signs with its own key). Its public half is published by key id
 * so that boxes verify offline; rotation adds a key id, verifiers keep the old one.
 */
@ApplicationScoped
public class LicensingKeys {
    public static final String KEY_ID = "ovc-lic-1";
    private final KeyMaterialStore store;
    private final PkiService pki;
    private volatile Signer signer;
    private volatile PublicKey publicKey;

    LicensingKeys(KeyMaterialStore store, PkiService pki) {
        this.store = store;
        this.pki = pki;
    }

    void onStart(@Observes @Priority(25) StartupEvent event) {
        var m = store.loadOrCreate("license-signing:" + KEY_ID, pki.masterKey(), () -> {
            KeyPair kp = Keys.generate();
            return new KeyMaterialStore.Material(Keys.encode(kp.getPublic()), kp.getPrivate());
        });
        signer = new Signer(KEY_ID, m.key());
        publicKey = Keys.decode(m.publicPem());
    }

    public Signer signer() {
        return signer;
    }

    public Verifier verifier() {
        return new Verifier(Map.of(KEY_ID, publicKey));
    }

    public Map<String, String> publicKeys() {
        return Map.of(KEY_ID, Keys.encode(publicKey));
    }
}
