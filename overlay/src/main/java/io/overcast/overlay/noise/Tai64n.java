package io.overcast.overlay.noise;

import java.time.Instant;

/** TAI64N timestamps (12 bytes, big-endian): 2^62 + seconds, then nanoseconds. */
public final class Tai64n {
    private Tai64n() {}

    public static byte[] of(Instant t) {
        byte[] b = new byte[12];
        long s = (1L << 62) + t.getEpochSecond();
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (s >>> (56 - 8 * i));
        }
        int n = t.getNano();
        for (int i = 0; i < 4; i++) {
            b[8 + i] = (byte) (n >>> (24 - 8 * i));
        }
        return b;
    }

    /** Unsigned lexicographic comparison: a later timestamp compares greater. */
    public static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }
}
