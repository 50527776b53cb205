package io.overcast.licensing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Signed licenses and leases verified offline, and every way a document is refused. */
class LicenseDocumentTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final KeyPair k1 = Keys.generate();
    private final KeyPair k2 = Keys.generate();
    private final Signer signer = new Signer("k1", k1.getPrivate());
    private final Verifier verifier = new Verifier(Map.of("k1", k1.getPublic(), "k2", k2.getPublic()));
    private final UUID org = UUID.randomUUID();
    private final UUID tenant = UUID.randomUUID();

    private License permanent(String systemId) {
        return new License(
                UUID.randomUUID(),
                org,
                tenant,
                "ntopng",
                "enterprise_m",
                LicenseKind.PERMANENT,
                systemId,
                1,
                Map.of("interfaces", 8L),
                List.of("flows", "alerts"),
                NOW.minus(Duration.ofDays(1)),
                null,
                NOW.plus(Duration.ofDays(365)));
    }

    private static Problem problem(Verification<?> v) {
        return assertInstanceOf(Verification.Invalid.class, v).problem();
    }

    @Test
    void aSignedLicenseVerifiesOfflineWithItsClaimsAndKeyId() {
        License l = permanent("sys-1");
        String doc = signer.sign(l);
        Verification<License> v = verifier.license(doc, "sys-1", NOW);
        var ok = assertInstanceOf(Verification.Valid.class, v);
        assertEquals(l, ok.claims());
        assertEquals("k1", ok.keyId());
        String header = new String(Base64.getUrlDecoder().decode(doc.split("\\.")[0]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"alg\":\"EdDSA\"") && header.contains("\"kid\":\"k1\""), header);
    }

    @Test
    void rotationVerifiesDocumentsOfEitherKeyAndForgetsRetiredOnes() {
        String old = signer.sign(permanent("sys-1"));
        String fresh = new Signer("k2", k2.getPrivate()).sign(permanent("sys-1"));
        assertTrue(verifier.license(old, "sys-1", NOW).valid());
        assertTrue(verifier.license(fresh, "sys-1", NOW).valid());
        Verifier afterRotation = new Verifier(Map.of("k2", k2.getPublic()));
        assertEquals(Problem.UNKNOWN_KEY, problem(afterRotation.license(old, "sys-1", NOW)));
    }

    @Test
    void everySingleFlippedByteIsRefused() {
        String doc = signer.sign(permanent("sys-1"));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < doc.length(); i++) {
            int index = alphabet.indexOf(doc.charAt(i));
            if (index < 0) {
                continue; // a separator
            }
            char[] c = doc.toCharArray();
            c[i] = alphabet.charAt(index ^ 32); // the character's most significant bit: never padding
            String tampered = new String(c);
            Verification<License> v = verifier.license(tampered, "sys-1", NOW);
            assertTrue(!v.valid(), "byte " + i + " flipped still verified");
        }
    }

    @Test
    void badDocumentsGetTheirOwnProblem() {
        License l = permanent("sys-1");
        String doc = signer.sign(l);
        assertEquals(Problem.WRONG_SYSTEM, problem(verifier.license(doc, "sys-2", NOW)));
        assertEquals(Problem.NOT_YET_VALID, problem(verifier.license(doc, "sys-1", NOW.minus(Duration.ofDays(2)))));
        assertEquals(Problem.UNKNOWN_KEY, problem(new Verifier(Map.of()).license(doc, "sys-1", NOW)));
        assertEquals(Problem.MALFORMED, problem(verifier.license("not.a.jws!", "sys-1", NOW)));
        assertEquals(Problem.MALFORMED, problem(verifier.license("", "sys-1", NOW)));
        assertEquals(Problem.MALFORMED, problem(verifier.license(null, "sys-1", NOW)));
        // alg "none" with the same claims: no algorithm confusion
        String[] parts = doc.split("\\.");
        String none = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"ovc-license+jws\"}".getBytes())
                + "." + parts[1] + ".";
        assertTrue(!verifier.license(none, "sys-1", NOW).valid());
        // a lease is not a license
        Lease lease = new Lease(
                UUID.randomUUID(), l.id(), UUID.randomUUID(), "ntopng", "pro", NOW, NOW.plus(Duration.ofHours(1)));
        assertEquals(Problem.WRONG_TYPE, problem(verifier.license(signer.sign(lease), "sys-1", NOW)));
    }

    @Test
    void aSubscriptionEndsAndItsEndIsChecked() {
        License sub = new License(
                UUID.randomUUID(),
                org,
                tenant,
                "nprobe",
                "pro",
                LicenseKind.SUBSCRIPTION,
                null,
                1,
                null,
                null,
                NOW.minus(Duration.ofDays(30)),
                NOW.plus(Duration.ofDays(1)),
                null);
        String doc = signer.sign(sub);
        assertTrue(verifier.license(doc, "any-system", NOW).valid());
        assertEquals(Problem.EXPIRED, problem(verifier.license(doc, "any-system", NOW.plus(Duration.ofDays(1)))));
    }

    @Test
    void aLeaseIsForOneInstanceAndAShortTime() {
        UUID instance = UUID.randomUUID();
        Lease lease = new Lease(
                UUID.randomUUID(), UUID.randomUUID(), instance, "ntopng", "pro", NOW, NOW.plus(Duration.ofHours(2)));
        String doc = signer.sign(lease);
        assertEquals(
                lease,
                assertInstanceOf(Verification.Valid.class, verifier.lease(doc, instance, NOW))
                        .claims());
        assertEquals(Problem.WRONG_INSTANCE, problem(verifier.lease(doc, UUID.randomUUID(), NOW)));
        assertEquals(Problem.EXPIRED, problem(verifier.lease(doc, instance, NOW.plus(Duration.ofHours(2)))));
        assertEquals(Problem.WRONG_TYPE, problem(verifier.lease(signer.sign(permanent("s")), instance, NOW)));
    }

    @Test
    void invalidLicensesCannotBeMade() {
        assertThrows(IllegalArgumentException.class, () -> permanent(null));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Signer(
                        "k",
                        java.security.KeyPairGenerator.getInstance("EC")
                                .generateKeyPair()
                                .getPrivate()));
        assertThrows(IllegalArgumentException.class, () -> Keys.decode("not base64 at all"));
        assertEquals(Keys.encode(k1.getPublic()), Keys.encode(Keys.decode(Keys.encode(k1.getPublic()))));
    }
}
