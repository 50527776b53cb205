package io.overcast.controlplane.auth;

import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.pki.CertificateAuthority;
import io.overcast.controlplane.pki.KeyMaterialStore;
import io.overcast.controlplane.pki.Pem;
import io.overcast.controlplane.pki.PkiService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Set;

/**
 * The ES256 key that signs user access tokens, shared by all replicas (sealed in the database like the CA key),
 * and the verification settings SmallRye JWT uses, produced from it instead of from a key file.
 */
@ApplicationScoped
public class JwtKeys {
    public static final String KEY_ID = "overcast-users-1";
    private final KeyMaterialStore store;
    private final PkiService pki;
    private final OvercastConfig config;
    private volatile PrivateKey signingKey;
    private volatile PublicKey verificationKey;

    JwtKeys(KeyMaterialStore store, PkiService pki, OvercastConfig config) {
        this.store = store;
        this.pki = pki;
        this.config = config;
    }

    void onStart(@Observes @Priority(20) StartupEvent event) {
        var m = store.loadOrCreate("jwt", pki.masterKey(), () -> {
            KeyPair kp = CertificateAuthority.newKeyPair();
            return new KeyMaterialStore.Material(Pem.write(kp.getPublic()), kp.getPrivate());
        });
        signingKey = m.key();
        verificationKey = Pem.publicKey(m.publicPem());
    }

    public PrivateKey signingKey() {
        return signingKey;
    }

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo contextInfo() {
        JWTAuthContextInfo info =
                new JWTAuthContextInfo(verificationKey, config.auth().issuer());
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        info.setExpGracePeriodSecs(5);
        return info;
    }
}
