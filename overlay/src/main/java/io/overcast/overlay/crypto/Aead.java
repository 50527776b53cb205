package io.overcast.overlay.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) from the JDK, with WireGuard's nonce: 4 zero bytes then a 64-bit little-endian
 * counter. The JDK refuses the same key and nonce twice in a row, even to decrypt, so every call re-initialises.
 */
public final class Aead {
    public static final int TAG_SIZE = 16;

    private Aead() {}

    static IvParameterSpec nonce(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return new IvParameterSpec(n);
    }

    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] ad) {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(counter));
            if (ad != null) {
                c.updateAAD(ad);
            }
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    /** The plaintext, or null when the tag does not verify. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, int offset, int length, byte[] ad) {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(counter));
            if (ad != null) {
                c.updateAAD(ad);
            }
            return c.doFinal(ciphertext, offset, length);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
