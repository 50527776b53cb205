package io.overcast.overlay.tun;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN interface opened through JNA: {@code /dev/net/tun}, {@code TUNSETIFF} with
 * {@code IFF_TUN | IFF_NO_PI}, so reads and writes are bare IP packets. Blocking; one reader thread per device.
 */
public final class TunDevice implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN_NO_PI = 0x1001;
    /** struct ifreq: 16 bytes of name, then the flags short; 40 bytes in all on x86-64. */
    private static final int IFREQ_SIZE = 40;

    private static final int IFNAMSIZ = 16;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags);

        int ioctl(int fd, NativeLong request, Pointer arg);

        NativeLong read(int fd, byte[] buf, NativeLong count);

        NativeLong write(int fd, byte[] buf, NativeLong count);

        int close(int fd);
    }

    private final int fd;
    private final String name;
    private volatile boolean closed;

    private TunDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Creates (or attaches to) the TUN interface with this name; needs CAP_NET_ADMIN. */
    public static TunDevice open(String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface names are 1 to 15 characters");
        }
        int fd = LibC.INSTANCE.open("/dev/net/tun", O_RDWR);
        if (fd < 0) {
            throw new IOException("cannot open /dev/net/tun (errno " + Native.getLastError() + ")");
        }
        Memory ifr = new Memory(IFREQ_SIZE);
        ifr.clear();
        ifr.write(0, n, 0, n.length);
        ifr.setShort(IFNAMSIZ, IFF_TUN_NO_PI);
        if (LibC.INSTANCE.ioctl(fd, new NativeLong(TUNSETIFF), ifr) < 0) {
            int errno = Native.getLastError();
            LibC.INSTANCE.close(fd);
            throw new IOException("TUNSETIFF " + name + " failed (errno " + errno + ")");
        }
        return new TunDevice(fd, ifr.getString(0, "US-ASCII"));
    }

    public String name() {
        return name;
    }

    /** Reads one packet into buf; returns its length. */
    public int read(byte[] buf) throws IOException {
        long n = LibC.INSTANCE.read(fd, buf, new NativeLong(buf.length)).longValue();
        if (n < 0) {
            throw new IOException(closed ? "closed" : "read failed (errno " + Native.getLastError() + ")");
        }
        return (int) n;
    }

    public void write(byte[] packet, int length) throws IOException {
        byte[] b = length == packet.length ? packet : java.util.Arrays.copyOf(packet, length);
        long n = LibC.INSTANCE.write(fd, b, new NativeLong(length)).longValue();
        if (n != length) {
            throw new IOException("write failed (errno " + Native.getLastError() + ")");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
