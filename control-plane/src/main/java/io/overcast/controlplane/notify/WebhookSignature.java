package io.overcast.controlplane.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: header {@code X-Overcast-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>} over
 * {@code "<t>.<body>"} with the channel's secret. Binding the timestamp lets receivers refuse replays.
 */
public final class WebhookSignature {
    public static final String HEADER = "X-Overcast-Signature";

    private WebhookSignature() {}

    /**
     * What a receiver does: parse {@code t=...,v1=...}, refuse a timestamp more than {@code toleranceSeconds} away
     * from {@code nowSeconds}, recompute the HMAC and compare in constant time.
     */
    public static boolean verify(String secret, String header, String body, long nowSeconds, long toleranceSeconds) {
        if (secret == null || header == null) {
            return false;
        }
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                t = part.substring(2);
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        if (t == null || v1 == null || !t.matches("\\d{1,12}")) {
            return false;
        }
        long ts = Long.parseLong(t);
        if (Math.abs(nowSeconds - ts) > toleranceSeconds) {
            return false;
        }
        return java.security.MessageDigest.isEqual(
                sign(secret, ts, body).getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII));
    }

    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
