package io.overcast.overlay.device;

import java.io.Closeable;
import java.io.IOException;

/** Where clear-text IP packets enter and leave a device: a TUN interface on Linux. */
public interface Tun extends Closeable {
    /** Blocks for the next packet, written at buf[0]; returns its length. */
    int read(byte[] buf) throws IOException;

    /** Writes one packet, buf[0, length). */
    void write(byte[] buf, int length) throws IOException;

    String name();
}
