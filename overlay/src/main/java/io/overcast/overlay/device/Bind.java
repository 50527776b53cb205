package io.overcast.overlay.device;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * How a device's ciphertext leaves and arrives: UDP ({@link UdpBind}) or, later, a relay through the control plane.
 * The device only ever hands it sealed WireGuard messages, so a relay carries ciphertext alone.
 */
public interface Bind extends Closeable {
    /** Blocks for the next datagram, written into {@code into} from its position; returns its sender. */
    InetSocketAddress receive(ByteBuffer into) throws IOException;

    /** Sends the remaining bytes of {@code message} to the endpoint. */
    void send(ByteBuffer message, InetSocketAddress to) throws IOException;

    /** The local port (UDP) or 0 when the notion does not apply. */
    int port();

    /** Opens a bind on a port (0: any). */
    @FunctionalInterface
    interface Factory {
        Bind open(int port) throws IOException;
    }
}
