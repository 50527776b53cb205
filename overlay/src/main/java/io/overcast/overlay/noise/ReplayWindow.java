package io.overcast.overlay.noise;

/**
 * Sliding-window replay filter for transport counters (RFC 6479's bitmap, as wireguard-go and Linux do it): a
 * counter is accepted once, if it is newer than the highest seen or within the window below it.
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS = 64;
    private static final int RING_BLOCKS = 128;
    /** 8128 counters: the ring minus one block, the same as wireguard-go. */
    public static final int WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /** Whether the counter could be accepted (a cheap check before decrypting); does not record it. */
    public synchronized boolean mayAccept(long counter) {
        if (counter > last) {
            return true;
        }
        if (last - counter > WINDOW_SIZE) {
            return false;
        }
        return (ring[(int) ((counter / BLOCK_BITS) % RING_BLOCKS)] & (1L << (counter % BLOCK_BITS))) == 0;
    }

    /** True once for each counter in the window; false for a replay, a too-old or a reject-listed counter. */
    public synchronized boolean accept(long counter, long limit) {
        if (counter < 0 || counter >= limit) {
            return false;
        }
        long block = counter / BLOCK_BITS;
        if (counter > last) {
            long current = last / BLOCK_BITS;
            long diff = Math.min(block - current, RING_BLOCKS);
            for (long i = 1; i <= diff; i++) {
                ring[(int) ((current + i) % RING_BLOCKS)] = 0;
            }
            last = counter;
        } else if (last - counter > WINDOW_SIZE) {
            return false;
        }
        int index = (int) (block % RING_BLOCKS);
        long bit = 1L << (counter % BLOCK_BITS);
        if ((ring[index] & bit) != 0) {
            return false;
        }
        ring[index] |= bit;
        return true;
    }
}
