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
