package io.overcast.overlay.noise;

/** Builds and reads the IPv4 ICMP echo packets the interop tests send through the tunnel. */
final class Icmp {
    private Icmp() {}

    static byte[] echo(byte[] src, byte[] dst, int type, int id, int seq, byte[] payload) {
        int len = 20 + 8 + payload.length;
        byte[] p = new byte[len];
        p[0] = 0x45;
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[8] = 64; // TTL
        p[9] = 1; // ICMP
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        int ipSum = checksum(p, 0, 20);
        p[10] = (byte) (ipSum >>> 8);
        p[11] = (byte) ipSum;
        p[20] = (byte) type;
        p[24] = (byte) (id >>> 8);
        p[25] = (byte) id;
        p[26] = (byte) (seq >>> 8);
        p[27] = (byte) seq;
        System.arraycopy(payload, 0, p, 28, payload.length);
        int icmpSum = checksum(p, 20, len - 20);
        p[22] = (byte) (icmpSum >>> 8);
        p[23] = (byte) icmpSum;
        return p;
    }

    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len - 1; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) == 1) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static boolean isIcmp(byte[] p, int type) {
        return p.length >= 28 && (p[0] & 0xf0) == 0x40 && p[9] == 1 && (p[20] & 0xff) == type;
    }

    static int id(byte[] p) {
        return (p[24] & 0xff) << 8 | (p[25] & 0xff);
    }

    static int seq(byte[] p) {
        return (p[26] & 0xff) << 8 | (p[27] & 0xff);
    }

    static int totalLength(byte[] p) {
        return (p[2] & 0xff) << 8 | (p[3] & 0xff);
    }
}
