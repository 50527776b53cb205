package io.overcast.protocol;

/** Protocol constants; changing one is a protocol change. */
public final class Limits {
    /** The protocol version this code speaks. */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * Largest frame either side accepts: a heartbeat with a few dozen disk paths is under 4 KiB, and a renewal
     * carries one certificate chain (a few KiB); 64 KiB leaves room without letting one edge pin much memory.
     */
    public static final int MAX_FRAME_BYTES = 64 * 1024;

    /** Longest frame id: ids are opaque correlation strings, never data. */
    public static final int MAX_ID_LENGTH = 64;

    /** Most products one lease request may name (a monitor runs a handful). */
    public static final int MAX_WANTS = 16;

    private Limits() {}
}
