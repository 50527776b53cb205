package io.overcast.overlay.device;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * In-memory TUN and datagram pipe for device tests that exercise protocol logic (routing, cookies, fuzzing) without
 * namespaces; the real TUN and UDP are exercised by WireguardInteropIT against wireguard-go.
 */
final class MemoryIo {
    private MemoryIo() {}

    static final byte[] CLOSE = new byte[0];

    static final class MemoryTun implements Tun {
        final BlockingQueue<byte[]> fromKernel = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> toKernel = new LinkedBlockingQueue<>();

        @Override
        public int read(byte[] buf) throws IOException {
            try {
                byte[] p = fromKernel.take();
                if (p == CLOSE) {
                    throw new IOException("closed");
                }
                System.arraycopy(p, 0, buf, 0, p.length);
                return p.length;
            } catch (InterruptedException e) {
                throw new IOException("interrupted");
            }
        }

        @Override
        public void write(byte[] buf, int length) {
            toKernel.add(Arrays.copyOf(buf, length));
        }

        @Override
        public String name() {
            return "mem0";
        }

        @Override
        public void close() {
            fromKernel.add(CLOSE);
        }
    }

    record Datagram(byte[] data, InetSocketAddress from) {}

    /** One end of a datagram pipe; send() delivers to the other end with this end's address as source. */
    static final class PipeBind implements Bind {
        volatile InetSocketAddress address;
        final BlockingQueue<Datagram> inbox = new LinkedBlockingQueue<>();
        final BlockingQueue<Datagram> sent = new LinkedBlockingQueue<>();
        PipeBind other;

        PipeBind(String ip, int port) throws IOException {
            this.address = new InetSocketAddress(InetAddress.getByName(ip), port);
        }

        static PipeBind[] pair() throws IOException {
            PipeBind a = new PipeBind("192.0.2.1", 51820);
            PipeBind b = new PipeBind("192.0.2.2", 51820);
            a.other = b;
            b.other = a;
            return new PipeBind[] {a, b};
        }

        @Override
        public InetSocketAddress receive(ByteBuffer into) throws IOException {
            try {
                Datagram d = inbox.take();
                if (d.data() == CLOSE) {
                    throw new IOException("closed");
                }
                into.put(d.data());
                return d.from();
            } catch (InterruptedException e) {
                throw new IOException("interrupted");
            }
        }

        @Override
        public void send(ByteBuffer message, InetSocketAddress to) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            sent.add(new Datagram(b, to));
            if (other != null && to.equals(other.address)) {
                other.inbox.add(new Datagram(b, address));
            }
        }

        @Override
        public int port() {
            return address.getPort();
        }

        @Override
        public void close() {
            inbox.add(new Datagram(CLOSE, null));
        }
    }

    /** A minimal IPv4 packet (UDP protocol number, no checksum checks) with a payload. */
    static byte[] ipv4(String src, String dst, byte[] payload) throws IOException {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(InetAddress.getByName(src).getAddress(), 0, p, 12, 4);
        System.arraycopy(InetAddress.getByName(dst).getAddress(), 0, p, 16, 4);
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    static byte[] ipv6(String src, String dst, byte[] payload) throws IOException {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[4] = (byte) (payload.length >>> 8);
        p[5] = (byte) payload.length;
        p[6] = 17;
        p[7] = 64;
        System.arraycopy(InetAddress.getByName(src).getAddress(), 0, p, 8, 16);
        System.arraycopy(InetAddress.getByName(dst).getAddress(), 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }
}
