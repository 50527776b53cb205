package io.overcast.controlplane.pki;

import io.quarkus.tls.BaseTlsConfiguration;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TrustOptions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS configuration "overcast", built at start from the deployment CA: the server's key and chain, and the
 * CA as the only trust anchor for client certificates (edges).
 */
final class ServerTlsConfiguration extends BaseTlsConfiguration {
    private static final char[] NO_PASSWORD = new char[0];
    private final KeyStore keyStore;
    private final KeyStore trustStore;
    private final String chainPem;
    private final String keyPem;
    private final String caPem;

    ServerTlsConfiguration(PrivateKey key, List<X509Certificate> chain, X509Certificate ca) {
        try {
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
            trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("overcast-ca", ca);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the TLS key store", e);
        }
        this.chainPem = Pem.write(chain.toArray());
        this.keyPem = Pem.pkcs8(key);
        this.caPem = Pem.write(ca);
    }

    @Override
    public KeyStore getKeyStore() {
        return keyStore;
    }

    @Override
    public KeyCertOptions getKeyStoreOptions() {
        return new PemKeyCertOptions().addCertValue(Buffer.buffer(chainPem)).addKeyValue(Buffer.buffer(keyPem));
    }

    @Override
    public KeyStore getTrustStore() {
        return trustStore;
    }

    @Override
    public TrustOptions getTrustStoreOptions() {
        return new PemTrustOptions().addCertValue(Buffer.buffer(caPem));
    }

    @Override
    public SSLOptions getSSLOptions() {
        return new SSLOptions().setEnabledSecureTransportProtocols(Set.of("TLSv1.3", "TLSv1.2"));
    }

    @Override
    public SSLContext createSSLContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, NO_PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public String getName() {
        return PkiService.TLS_CONFIGURATION;
    }
}
