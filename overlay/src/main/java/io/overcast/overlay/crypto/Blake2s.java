package io.overcast.overlay.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * BLAKE2s-256 and the constructions WireGuard builds on it: HASH, keyed MAC (16 bytes), HMAC and the HKDF-like
 * KDF1/KDF2/KDF3 of the WireGuard paper (section 5.4). Bouncy Castle supplies BLAKE2s; the JDK has none.
 */
public final class Blake2s {
    public static final int HASH_SIZE = 32;
    public static final int MAC_SIZE = 16;

    private Blake2s() {}

    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output: WireGuard's MAC. */
    public static byte[] mac(byte[] key, byte[] data, int offset, int length) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_SIZE, null, null);
        d.update(data, offset, length);
        byte[] out = new byte[MAC_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    public static byte[] hmac(byte[] key, byte[]... parts) {
        HMac h = new HMac(new Blake2sDigest(256));
        h.init(new KeyParameter(key));
        for (byte[] p : parts) {
            h.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        h.doFinal(out, 0);
        return out;
    }

    /** KDFn(key, input): n outputs of 32 bytes. */
    public static byte[][] kdf(int n, byte[] key, byte[] input) {
        byte[] t0 = hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = new byte[0];
        for (int i = 0; i < n; i++) {
            prev = hmac(t0, prev, new byte[] {(byte) (i + 1)});
            out[i] = prev;
        }
        java.util.Arrays.fill(t0, (byte) 0);
        return out;
    }
}
