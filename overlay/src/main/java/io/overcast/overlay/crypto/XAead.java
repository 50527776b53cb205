package io.overcast.overlay.crypto;

import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) for WireGuard's cookie replies: HChaCha20 derives a subkey from
 * the first 16 bytes of the 24-byte nonce, then the JDK's ChaCha20-Poly1305 runs with the last 8 bytes. Neither the
 * JDK nor Bouncy Castle 1.78 offers the X variant, and HChaCha20 is twenty rounds of the ChaCha block function.
 */
public final class XAead {
    public static final int NONCE_SIZE = 24;

    private XAead() {}

    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] ad) {
        byte[] sub = hchacha20(key, nonce24);
        try {
            return Aead.seal(sub, littleEndian(nonce24, 16), plaintext, ad);
        } finally {
            Arrays.fill(sub, (byte) 0);
        }
    }

    /** The plaintext, or null when the tag does not verify. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] ciphertext, int offset, int length, byte[] ad) {
        byte[] sub = hchacha20(key, nonce24);
        try {
            return Aead.open(sub, littleEndian(nonce24, 16), ciphertext, offset, length, ad);
        } finally {
            Arrays.fill(sub, (byte) 0);
        }
    }

    private static long littleEndian(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    private static int word(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** HChaCha20(key, nonce[0..16)): the ChaCha20 state after 20 rounds, words 0-3 and 12-15, no feed-forward. */
    public static byte[] hchacha20(byte[] key, byte[] nonce) {
        int[] s = new int[16];
        s[0] = 0x61707865;
        s[1] = 0x3320646e;
        s[2] = 0x79622d32;
        s[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            s[4 + i] = word(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            s[12 + i] = word(nonce, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(s, 0, 4, 8, 12);
            quarter(s, 1, 5, 9, 13);
            quarter(s, 2, 6, 10, 14);
            quarter(s, 3, 7, 11, 15);
            quarter(s, 0, 5, 10, 15);
            quarter(s, 1, 6, 11, 12);
            quarter(s, 2, 7, 8, 13);
            quarter(s, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        int[] pick = {0, 1, 2, 3, 12, 13, 14, 15};
        for (int i = 0; i < 8; i++) {
            int w = s[pick[i]];
            out[4 * i] = (byte) w;
            out[4 * i + 1] = (byte) (w >>> 8);
            out[4 * i + 2] = (byte) (w >>> 16);
            out[4 * i + 3] = (byte) (w >>> 24);
        }
        Arrays.fill(s, 0);
        return out;
    }

    private static void quarter(int[] s, int a, int b, int c, int d) {
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
    }
}
