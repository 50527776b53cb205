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

    /**
     * The timestamp with its nanoseconds rounded down to 2^24 ns (about 16.8 ms), as wireguard-go and Linux do,
     * so an initiation does not reveal the sender's clock precisely.
     */
    public static byte[] whitened(Instant t) {
        return of(Instant.ofEpochSecond(t.getEpochSecond(), t.getNano() & ~0xffffff));
    }

    /** Unsigned lexicographic comparison: a later timestamp compares greater. */
    public static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }
}
