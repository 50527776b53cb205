package io.overcast.edge.identity;

import io.overcast.protocol.EnrollmentTokenFormat;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * First contact without a public CA: the server must present, in its chain, a CA certificate whose SHA-256
 * equals the fingerprint carried by the enrolment token; the chain is then validated by the JDK's standard
 * PKIX trust manager with that CA as the only anchor, host name verification included.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {
    private final String fingerprint;
    private volatile X509Certificate pinned;

    public PinnedCaTrustManager(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    /** The CA that matched the pin, once a handshake succeeded. */
    public X509Certificate pinnedCa() {
        return pinned;
    }

    private X509ExtendedTrustManager delegate(X509Certificate[] chain) throws CertificateException {
        for (X509Certificate c : chain) {
            if (c.getBasicConstraints() >= 0
                    && EnrollmentTokenFormat.fingerprint(c).equals(fingerprint)) {
                try {
                    KeyStore ts = KeyStore.getInstance("PKCS12");
                    ts.load(null, null);
                    ts.setCertificateEntry("pinned", c);
                    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                    tmf.init(ts);
                    pinned = c;
                    return (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
                } catch (GeneralSecurityException | java.io.IOException e) {
                    throw new CertificateException("cannot build the pinned trust anchor", e);
                }
            }
        }
        throw new CertificateException(
                "the server's CA does not match the fingerprint in the enrolment token: wrong server, or interception");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate(chain).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate(chain).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate(chain).checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
