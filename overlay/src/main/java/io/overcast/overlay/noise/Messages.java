package io.overcast.overlay.noise;

/**
 * WireGuard message layouts (all integers little-endian):
 *
 * <pre>
 * initiation (148): type=1 | 3 zero | sender(4) | ephemeral(32) | static(32+16) | timestamp(12+16) | mac1(16) | mac2(16)
 * response    (92): type=2 | 3 zero | sender(4) | receiver(4) | ephemeral(32) | empty(0+16) | mac1(16) | mac2(16)
 * cookie      (64): type=3 | 3 zero | receiver(4) | nonce(24) | cookie(16+16)
 * transport (32+n): type=4 | 3 zero | receiver(4) | counter(8) | packet padded to 16 + tag(16)
 * </pre>
 */
public final class Messages {
    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int INITIATION_SIZE = 148;
    public static final int RESPONSE_SIZE = 92;
    public static final int COOKIE_SIZE = 64;
    /** Header (16) + the tag of an empty packet (16): a keepalive. */
    public static final int TRANSPORT_MIN_SIZE = 32;

    public static final int TRANSPORT_HEADER_SIZE = 16;

    private Messages() {}

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    public static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    /** The message type, or -1 when the first four bytes are not a WireGuard header. */
    public static int type(byte[] b, int length) {
        if (length < 4 || b[1] != 0 || b[2] != 0 || b[3] != 0) {
            return -1;
        }
        return b[0] & 0xff;
    }
}
