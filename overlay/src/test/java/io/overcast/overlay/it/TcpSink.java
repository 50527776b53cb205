package io.overcast.overlay.it;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Run inside a namespace: accepts one TCP connection, prints "listening", then "bytes sha256" at EOF. */
public final class TcpSink {
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            System.out.println("listening");
            System.out.flush();
            try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    total += n;
                }
                System.out.println(total + " " + HexFormat.of().formatHex(sha.digest()));
            }
        }
    }
}
