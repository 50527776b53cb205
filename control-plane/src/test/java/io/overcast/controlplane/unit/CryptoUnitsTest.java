package io.overcast.controlplane.unit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.controlplane.auth.PasswordHasher;
import io.overcast.controlplane.notify.WebhookSignature;
import io.overcast.controlplane.pki.MasterKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The small primitives the control plane's secrets rest on, without Quarkus. */
class CryptoUnitsTest {

    @Test
    void masterKeySealsAndRefusesTheWrongKeyATamperAndAnotherPurpose() {
        MasterKey key = MasterKey.parse(MasterKey.generate());
        byte[] secret = "ca private key".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = key.seal("key_material:ca", secret);
        assertArrayEquals(secret, key.open("key_material:ca", sealed));
        assertNotEquals(
                new String(sealed, StandardCharsets.ISO_8859_1),
                new String(key.seal("key_material:ca", secret), StandardCharsets.ISO_8859_1),
                "a fresh nonce every time");
        assertThrows(IllegalStateException.class, () -> MasterKey.parse(MasterKey.generate())
                .open("key_material:ca", sealed));
        assertThrows(IllegalStateException.class, () -> key.open("key_material:jwt", sealed));
        sealed[sealed.length - 1] ^= 1;
        assertThrows(IllegalStateException.class, () -> key.open("key_material:ca", sealed));
        assertThrows(IllegalStateException.class, () -> key.open("key_material:ca", new byte[3]));
    }

    @Test
    void masterKeyInputIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> MasterKey.parse("not base64 !!"));
        assertThrows(IllegalArgumentException.class, () -> MasterKey.parse("c2hvcnQ="));
    }

    @Test
    void passwordsHashWithArgon2idAndVerifyOnlyTheRightOne() {
        String hash = PasswordHasher.hash("correct horse battery staple");
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        assertTrue(PasswordHasher.verify("correct horse battery staple", hash));
        assertFalse(PasswordHasher.verify("correct horse battery stapl", hash));
        assertNotEquals(hash, PasswordHasher.hash("correct horse battery staple"), "salted");
        assertFalse(PasswordHasher.verify("x", "$bcrypt$whatever"));
    }

    @Test
    void webhookSignaturesVerifyAndRefuseTamperingReplaysAndGarbage() {
        String body = "{\"type\":\"alert.offline\"}";
        long now = 1_800_000_000L;
        String header = "t=" + now + ",v1=" + WebhookSignature.sign("whsec_1", now, body);
        assertTrue(WebhookSignature.verify("whsec_1", header, body, now + 10, 300));
        assertFalse(WebhookSignature.verify("whsec_2", header, body, now, 300), "other secret");
        assertFalse(WebhookSignature.verify("whsec_1", header, body + " ", now, 300), "tampered body");
        assertFalse(WebhookSignature.verify("whsec_1", header, body, now + 301, 300), "replayed too late");
        assertFalse(WebhookSignature.verify("whsec_1", "v1=abc", body, now, 300), "no timestamp");
        assertFalse(WebhookSignature.verify("whsec_1", "t=abc,v1=abc", body, now, 300), "bad timestamp");
        assertFalse(WebhookSignature.verify("whsec_1", null, body, now, 300));
    }
}
