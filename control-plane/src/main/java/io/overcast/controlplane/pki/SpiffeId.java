package io.overcast.controlplane.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;

/** {@code spiffe://<trust-domain>/tenant/<uuid>/instance/<uuid>}: who an instance certificate names. */
public record SpiffeId(UUID tenantId, UUID instanceId) {
    private static final int URI_SAN = 6;

    public static SpiffeId parse(String trustDomain, String uri) {
        String prefix = "spiffe://" + trustDomain + "/tenant/";
        if (uri == null || !uri.startsWith(prefix)) {
            return null;
        }
        String[] parts = uri.substring(prefix.length()).split("/");
        if (parts.length != 3 || !parts[1].equals("instance")) {
            return null;
        }
        try {
            return new SpiffeId(UUID.fromString(parts[0]), UUID.fromString(parts[2]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The SPIFFE id in a certificate's URI SAN, or null when it has none of this trust domain. */
    public static SpiffeId of(String trustDomain, X509Certificate cert) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return null;
            }
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == URI_SAN) {
                    SpiffeId id = parse(trustDomain, (String) san.get(1));
                    if (id != null) {
                        return id;
                    }
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
