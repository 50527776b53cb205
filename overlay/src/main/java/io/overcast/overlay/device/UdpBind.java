package io.overcast.overlay.device;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * UDP through NIO: one dual-stack datagram channel ([::]:port takes IPv4 too), blocking, with large socket buffers.
 * Receiving from the same sender again reuses the JDK's cached address object, so the loop does not allocate.
 */
public final class UdpBind implements Bind {
    private static final int SOCKET_BUFFER = 4 << 20;
    private final DatagramChannel channel;
    private final int port;

    private UdpBind(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    public static UdpBind open(int port) throws IOException {
        DatagramChannel c;
        try {
            c = DatagramChannel.open(StandardProtocolFamily.INET6);
        } catch (UnsupportedOperationException | IOException e) {
            c = DatagramChannel.open(StandardProtocolFamily.INET);
        }
        try {
            c.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            c.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            c.bind(new InetSocketAddress(port));
            return new UdpBind(c);
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress receive(ByteBuffer into) throws IOException {
        return (InetSocketAddress) channel.receive(into);
    }

    @Override
    public void send(ByteBuffer message, InetSocketAddress to) throws IOException {
        channel.send(message, to);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
