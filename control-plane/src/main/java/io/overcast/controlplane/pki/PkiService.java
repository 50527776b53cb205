package io.overcast.controlplane.pki;

import io.overcast.controlplane.config.OvercastConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Owns the deployment's trust: the master key, the CA (generated once and shared by replicas through the
 * database, or brought by the operator), the server's TLS certificate, and instance certificate issuance.
 * It runs on start, before the HTTPS socket opens, and registers the TLS configuration the server uses.
 */
@ApplicationScoped
public class PkiService {
    public static final String TLS_CONFIGURATION = "overcast";
    private static final Logger LOG = Logger.getLogger(PkiService.class);

    private final OvercastConfig config;
    private final KeyMaterialStore store;
    private final TlsConfigurationRegistry tlsRegistry;
    private MasterKey masterKey;
    private CertificateAuthority ca;

    PkiService(OvercastConfig config, KeyMaterialStore store, TlsConfigurationRegistry tlsRegistry) {
        this.config = config;
        this.store = store;
        this.tlsRegistry = tlsRegistry;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        masterKey = resolveMasterKey();
        ca = loadCa();
        registerServerTls();
        LOG.infof("deployment CA ready, fingerprint sha256:%s", ca.fingerprint());
    }

    private MasterKey resolveMasterKey() {
        if (config.masterKey().isPresent()) {
            try {
                return MasterKey.parse(config.masterKey().get());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Overcast refuses to start: " + e.getMessage());
            }
        }
        if (!config.demoMasterKey()) {
            throw new IllegalStateException("Overcast refuses to start: OVERCAST_MASTER_KEY is not set. Generate one "
                    + "with `head -c 32 /dev/urandom | base64` and keep it safe; it seals the CA key in the database.");
        }
        LOG.warn("*** DEMO MODE: no OVERCAST_MASTER_KEY given; generated a throw-away master key. Key material "
                + "sealed under it cannot be opened after a restart: this database is for a demo only. ***");
        return MasterKey.parse(MasterKey.generate());
    }

    private CertificateAuthority loadCa() {
        var pki = config.pki();
        if (pki.caCertFile().isPresent() != pki.caKeyFile().isPresent()) {
            throw new IllegalStateException(
                    "Overcast refuses to start: overcast.pki.ca-cert-file and ca-key-file go together");
        }
        if (pki.caCertFile().isPresent()) {
            X509Certificate cert =
                    Pem.certificates(read(pki.caCertFile().get())).get(0);
            var key = Pem.privateKey(read(pki.caKeyFile().get()));
            store.replace("ca", masterKey, new KeyMaterialStore.Material(Pem.write(cert), key));
            LOG.info("using the operator-provided CA from " + pki.caCertFile().get());
            return new CertificateAuthority(cert, key);
        }
        var m = store.loadOrCreate("ca", masterKey, () -> {
            LOG.info("no deployment CA yet: generating one");
            CertificateAuthority fresh = CertificateAuthority.generate(pki.trustDomain());
            return new KeyMaterialStore.Material(fresh.certificatePem(), fresh.privateKey());
        });
        return new CertificateAuthority(Pem.certificates(m.publicPem()).get(0), m.key());
    }

    private void registerServerTls() {
        var pki = config.pki();
        ServerTlsConfiguration tls;
        if (pki.serverCertFile().isPresent() && pki.serverKeyFile().isPresent()) {
            tls = new ServerTlsConfiguration(
                    Pem.privateKey(read(pki.serverKeyFile().get())),
                    Pem.certificates(read(pki.serverCertFile().get())),
                    ca.certificate());
        } else {
            KeyPair kp = CertificateAuthority.newKeyPair();
            X509Certificate cert = ca.issueServer(kp.getPublic(), pki.serverNames(), Duration.ofDays(90));
            tls = new ServerTlsConfiguration(kp.getPrivate(), List.of(cert, ca.certificate()), ca.certificate());
        }
        tlsRegistry.register(TLS_CONFIGURATION, tls);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Overcast refuses to start: cannot read " + file, e);
        }
    }

    public MasterKey masterKey() {
        return masterKey;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public String spiffeId(UUID tenantId, UUID instanceId) {
        return "spiffe://" + config.pki().trustDomain() + "/tenant/" + tenantId + "/instance/" + instanceId;
    }

    /** The (tenant, instance) named by a SPIFFE id of this trust domain, or null. */
    public SpiffeId parseSpiffe(String uri) {
        return SpiffeId.parse(config.pki().trustDomain(), uri);
    }

    public X509Certificate issueInstance(PublicKey key, UUID tenantId, UUID instanceId) {
        return ca.issueInstance(
                key,
                instanceId.toString(),
                spiffeId(tenantId, instanceId),
                config.pki().instanceCertValidity());
    }
}
