package io.overcast.controlplane.pki;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals key material at rest with AES-256-GCM. The sealed form is {@code version(1) || nonce(12) || ciphertext+tag};
 * the purpose string is bound as associated data so a sealed CA key cannot be passed off as another secret.
 */
public final class MasterKey {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private MasterKey(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
    }

    /** Parses base64 of exactly 32 bytes; anything else is refused with the reason. */
    public static MasterKey parse(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("OVERCAST_MASTER_KEY is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(
                    "OVERCAST_MASTER_KEY must be 32 bytes (base64 of `head -c 32 /dev/urandom`), got " + raw.length);
        }
        return new MasterKey(raw);
    }

    public static String generate() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    public byte[] seal(String purpose, byte[] plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(1 + NONCE_BYTES + ct.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(ct)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /** Opens a sealed value; a wrong master key or tampered data is an {@link IllegalStateException}. */
    public byte[] open(String purpose, byte[] sealed) {
        if (sealed.length < 1 + NONCE_BYTES + 16 || sealed[0] != VERSION) {
            throw new IllegalStateException("sealed " + purpose + " has an unknown format");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot open the sealed " + purpose + ": the master key is not the one it was sealed with");
        }
    }
}
