package io.overcast.licensing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One consumed day of a DAILY license: unique per license, instance, product, edition and UTC day. Its
 * {@link #identifier()} is derived from exactly that key, so reporting it to Stripe twice (a retry, a crash,
 * a second replica) names the same meter event and is billed once.
 */
public record UsageDay(UUID licenseId, UUID instanceId, String product, String edition, LocalDate day) {
    public UsageDay {
        Objects.requireNonNull(licenseId, "licenseId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(edition, "edition");
        Objects.requireNonNull(day, "day");
    }

    /** A stable meter-event identifier (Stripe allows up to 100 characters): "ovc_" and 43 base64url chars. */
    public String identifier() {
        String canonical =
                String.join("|", licenseId.toString(), instanceId.toString(), product, edition, day.toString());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "ovc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The UTC days touched by a running interval [from, to], each counted once. */
    public static SortedSet<LocalDate> daysTouched(Instant from, Instant to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the interval ends before it starts");
        }
        SortedSet<LocalDate> days = new TreeSet<>();
        LocalDate d = from.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last = to.atZone(ZoneOffset.UTC).toLocalDate();
        while (!d.isAfter(last)) {
            days.add(d);
            d = d.plusDays(1);
        }
        return days;
    }
}
