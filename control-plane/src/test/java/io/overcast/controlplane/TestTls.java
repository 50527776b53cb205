package io.overcast.controlplane;

import io.overcast.edge.identity.Keys;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** TLS for test clients: trust exactly the deployment CA, as an operator's tooling would. */
public final class TestTls {
    private TestTls() {}

    public static TrustManager[] trustManagers(String caPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", Keys.certificates(caPem).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    public static SSLContext trustOnly(String caPem) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trustManagers(caPem), null);
        return ctx;
    }
}
