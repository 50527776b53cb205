package io.overcast.overlay.uapi;

import io.overcast.overlay.device.Device;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves the configuration protocol on a Unix socket, /var/run/wireguard/IFACE.sock by default, as wireguard-go
 * does, so that `wg` and `wg-quick` drive the Java device unchanged. The socket is only for root (0600 in a 0755
 * directory, like wireguard-go's). Each connection gets its own thread; a request is at most 1 MiB of text.
 */
public final class UapiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.overcast.overlay.uapi");
    private static final int MAX_REQUEST_CHARS = 1 << 20;
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/run/wireguard");

    private final Device device;
    private final Path path;
    private final ServerSocketChannel server;
    private volatile boolean closed;

    private UapiServer(Device device, Path path, ServerSocketChannel server) {
        this.device = device;
        this.path = path;
        this.server = server;
    }

    public static UapiServer start(Device device, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path path = directory.resolve(device.name() + ".sock");
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException(path + " is served by a running process");
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().endsWith("running process")) {
                    throw stale;
                }
                Files.delete(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        UapiServer s = new UapiServer(device, path, server);
        Thread t = new Thread(s::acceptLoop, "overlay-uapi");
        t.setDaemon(true);
        t.start();
        return s;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "overlay-uapi-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "UAPI accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(c)) {
            String op;
            while ((op = in.readLine()) != null) {
                String answer;
                switch (op) {
                    case "get=1" -> {
                        String blank = in.readLine();
                        if (blank == null) {
                            return;
                        }
                        answer = blank.isEmpty()
                                ? Uapi.formatGet(device.snapshot()) + "errno=0\n\n"
                                : "errno=" + Uapi.EINVAL + "\n\n";
                    }
                    case "set=1" -> answer = "errno=" + set(in) + "\n\n";
                    default -> {
                        LOG.log(System.Logger.Level.WARNING, "invalid UAPI operation, closing the connection");
                        return;
                    }
                }
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private int set(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        int size = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            size += line.length();
            if (size > MAX_REQUEST_CHARS) {
                return Uapi.EPROTO;
            }
            lines.add(line);
        }
        try {
            device.configure(Uapi.parseSet(lines));
            return 0;
        } catch (Uapi.Error e) {
            LOG.log(System.Logger.Level.WARNING, "UAPI set refused: " + e.getMessage());
            return e.errno();
        } catch (java.net.BindException e) {
            LOG.log(System.Logger.Level.WARNING, "UAPI set refused: port in use");
            return Uapi.EADDRINUSE;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "UAPI set failed: " + e.getMessage());
            return Uapi.EIO;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort on the way out
        }
    }
}
