package io.overcast.overlay.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.overcast.overlay.device.Tun;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN interface opened through JNA: {@code /dev/net/tun}, {@code TUNSETIFF} with {@code IFF_TUN | IFF_NO_PI},
 * so reads and writes are bare IP packets. JNA's direct mapping hands read(2) and write(2) a per-thread direct buffer
 * (a byte[] argument would make JNI copy the whole array each call); only the packet's bytes are copied to or from
 * the caller's array. Blocking; one reader thread per device.
 */
public final class TunDevice implements Tun {
    private static final int O_RDWR = 2;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCSIFMTU = 0x8922L;
    private static final short IFF_TUN_NO_PI = 0x1001;
    /** struct ifreq: 16 bytes of name, then a union (flags short, mtu int); 40 bytes in all on x86-64. */
    private static final int IFREQ_SIZE = 40;

    private static final int IFNAMSIZ = 16;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    /** wireguard-go's default MTU: 1500 minus the IPv6, UDP and WireGuard overheads. */
    public static final int DEFAULT_MTU = 1420;

    static final class LibC {
        static {
            Native.register("c");
        }

        private LibC() {}

        static native int open(String path, int flags) throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native long read(int fd, ByteBuffer buf, long count) throws LastErrorException;

        static native long write(int fd, ByteBuffer buf, long count) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int close(int fd);
    }

    private static final int BUFFER = 65536 + 64;
    private static final ThreadLocal<ByteBuffer> NATIVE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));
    private final int fd;
    private final String name;
    private volatile boolean closed;

    private TunDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Creates (or attaches to) the TUN interface with this name and sets its MTU; needs CAP_NET_ADMIN. */
    public static TunDevice open(String name, int mtu) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= IFNAMSIZ || !name.matches("[A-Za-z0-9_.=+-]+")) {
            throw new IllegalArgumentException("interface names are 1 to 15 of A-Z a-z 0-9 _ . = + -");
        }
        int fd;
        try {
            fd = LibC.open("/dev/net/tun", O_RDWR);
        } catch (LastErrorException e) {
            throw new IOException("cannot open /dev/net/tun (errno " + e.getErrorCode() + ")");
        }
        Memory ifr = new Memory(IFREQ_SIZE);
        ifr.clear();
        ifr.write(0, n, 0, n.length);
        ifr.setShort(IFNAMSIZ, IFF_TUN_NO_PI);
        try {
            LibC.ioctl(fd, TUNSETIFF, ifr);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new IOException("TUNSETIFF " + name + " failed (errno " + e.getErrorCode() + ")");
        }
        TunDevice tun = new TunDevice(fd, ifr.getString(0, "US-ASCII"));
        if (mtu > 0) {
            tun.setMtu(mtu);
        }
        return tun;
    }

    public static TunDevice open(String name) throws IOException {
        return open(name, DEFAULT_MTU);
    }

    private void setMtu(int mtu) throws IOException {
        int s;
        try {
            s = LibC.socket(AF_INET, SOCK_DGRAM, 0);
        } catch (LastErrorException e) {
            throw new IOException("socket for SIOCSIFMTU failed (errno " + e.getErrorCode() + ")");
        }
        try {
            Memory ifr = new Memory(IFREQ_SIZE);
            ifr.clear();
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.write(0, n, 0, n.length);
            ifr.setInt(IFNAMSIZ, mtu);
            LibC.ioctl(s, SIOCSIFMTU, ifr);
        } catch (LastErrorException e) {
            throw new IOException("setting MTU " + mtu + " on " + name + " failed (errno " + e.getErrorCode() + ")");
        } finally {
            LibC.close(s);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int read(byte[] buf) throws IOException {
        try {
            ByteBuffer b = NATIVE.get();
            int n = (int) LibC.read(fd, b, Math.min(buf.length, BUFFER));
            b.get(0, buf, 0, n);
            return n;
        } catch (LastErrorException e) {
            throw new IOException(closed ? "closed" : "TUN read failed (errno " + e.getErrorCode() + ")");
        }
    }

    @Override
    public void write(byte[] packet, int length) throws IOException {
        try {
            ByteBuffer b = NATIVE.get();
            b.put(0, packet, 0, length);
            long n = LibC.write(fd, b, length);
            if (n != length) {
                throw new IOException("short TUN write");
            }
        } catch (LastErrorException e) {
            throw new IOException("TUN write failed (errno " + e.getErrorCode() + ")");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
