package io.overcast.controlplane.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.pki.SpiffeId;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;

/**
 * Establishes an edge's identity before the WebSocket upgrade, so that no frame is read from an unknown peer.
 * TLS has already checked that the certificate chains to the deployment CA and is within its validity; here the
 * SPIFFE id must name an instance of this trust domain whose status is not REVOKED and whose certificate serial
 * is known and not revoked. Refusals are 401 (no certificate) or 403 (anything else), with the reason in
 * {@code X-Overcast-Error}.
 */
@ApplicationScoped
public class EdgeCertificateCheck implements HttpUpgradeCheck {
    private static final Logger LOG = Logger.getLogger(EdgeCertificateCheck.class);
    static final UserData.TypedKey<String> INSTANCE = UserData.TypedKey.forString("overcast.instance");
    static final UserData.TypedKey<String> TENANT = UserData.TypedKey.forString("overcast.tenant");
    static final UserData.TypedKey<String> ORG = UserData.TypedKey.forString("overcast.org");
    static final UserData.TypedKey<String> SERIAL = UserData.TypedKey.forString("overcast.serial");
    static final UserData.TypedKey<String> SESSION = UserData.TypedKey.forString("overcast.session");

    private final Pool pool;
    private final OvercastConfig config;
    private final MeterRegistry metrics;

    EdgeCertificateCheck(Pool pool, OvercastConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return endpointId.equals(EdgeSessionEndpoint.class.getName());
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext ctx) {
        SSLSession ssl = ctx.httpRequest().sslSession();
        if (ssl == null) {
            return refuse(401, "tls_required");
        }
        X509Certificate cert;
        try {
            Certificate[] chain = ssl.getPeerCertificates();
            cert = (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException e) {
            return refuse(401, "certificate_required");
        }
        try {
            cert.checkValidity(new Date());
        } catch (Exception e) {
            return refuse(403, "certificate_expired");
        }
        SpiffeId id = SpiffeId.of(config.pki().trustDomain(), cert);
        if (id == null) {
            return refuse(403, "certificate_foreign");
        }
        String serial = cert.getSerialNumber().toString(16);
        return pool.preparedQuery("SELECT i.status, i.tenant_id, t.org_id, c.revoked_at IS NOT NULL AS cert_revoked,"
                        + " c.instance_id = i.id AS cert_matches FROM instances i JOIN tenants t ON t.id = i.tenant_id"
                        + " LEFT JOIN certificates c ON c.serial = $2 WHERE i.id = $1")
                .execute(Tuple.of(id.instanceId(), serial))
                .flatMap(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return refuse(403, "instance_unknown");
                    }
                    Row r = rows.iterator().next();
                    if (!id.tenantId().equals(r.getUUID("tenant_id"))) {
                        return refuse(403, "certificate_foreign");
                    }
                    if ("REVOKED".equals(r.getString("status"))) {
                        return refuse(403, "instance_revoked");
                    }
                    Boolean matches = r.getBoolean("cert_matches");
                    if (matches == null || !matches) {
                        return refuse(403, "certificate_unknown");
                    }
                    if (r.getBoolean("cert_revoked")) {
                        return refuse(403, "certificate_revoked");
                    }
                    ctx.userData().put(INSTANCE, id.instanceId().toString());
                    ctx.userData().put(TENANT, id.tenantId().toString());
                    ctx.userData().put(ORG, r.getUUID("org_id").toString());
                    ctx.userData().put(SERIAL, serial);
                    return CheckResult.permitUpgrade();
                });
    }

    private Uni<CheckResult> refuse(int status, String code) {
        metrics.counter("overcast.sessions.refused", "reason", code).increment();
        LOG.debugf("edge session refused: %s", code);
        return CheckResult.rejectUpgrade(status, Map.of("X-Overcast-Error", List.of(code)));
    }
}
