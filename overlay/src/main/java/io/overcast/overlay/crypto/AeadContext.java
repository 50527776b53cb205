package io.overcast.overlay.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One thread's ChaCha20-Poly1305 for the data path: the Cipher object and the nonce bytes are reused across packets
 * and the result is written into the caller's buffer. Not thread-safe: each I/O thread owns one. The JDK still
 * copies the key and nonce inside {@code Cipher.init} (a few small objects per packet); BENCHMARKS.md measures it.
 */
public final class AeadContext {
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];
    /** Ciphertext moved to offset 0: the JDK's decrypt copies (twice) any input that does not start at 0. */
    private byte[] staging = new byte[2048];

    public AeadContext() {
        try {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no ChaCha20-Poly1305", e);
        }
    }

    private IvParameterSpec nonce(long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        return new IvParameterSpec(nonce);
    }

    /** Encrypts {@code in[inOff, inOff+len)} into {@code out} at outOff; returns len + 16. */
    public int seal(SecretKeySpec key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, nonce(counter));
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /**
     * Decrypts and authenticates into out; the plaintext length, or -1 when the tag does not verify. JDK 17 refuses
     * to initialise with the key and nonce of the previous call even to decrypt; a forged packet carrying the next
     * counter would then make the genuine one fail. So a refused init goes through a nonce WireGuard never uses
     * (counter 2^64-1, beyond REJECT_AFTER_MESSAGES) and is retried.
     */
    public int open(SecretKeySpec key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < Aead.TAG_SIZE) {
            return -1;
        }
        try {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(counter));
            } catch (InvalidKeyException sameKeyAndNonce) {
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(-1L));
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(counter));
            }
            if (inOff != 0) {
                if (staging.length < len) {
                    staging = new byte[Math.max(len, 2 * staging.length)];
                }
                System.arraycopy(in, inOff, staging, 0, len);
                return cipher.doFinal(staging, 0, len, out, outOff);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            return -1;
        }
    }
}
