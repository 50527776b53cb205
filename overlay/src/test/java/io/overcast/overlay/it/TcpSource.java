package io.overcast.overlay.it;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Run inside a namespace: sends N pseudo-random bytes (seeded) to host:port, prints "bytes sha256". */
public final class TcpSource {
    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[2]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 10_000);
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[1 << 16];
            long sent = 0;
            while (sent < size) {
                int n = (int) Math.min(buf.length, size - sent);
                for (int i = 0; i < n; i += 8) {
                    long r = random.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        buf[i + j] = (byte) (r >>> (8 * j));
                    }
                }
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
                sent += n;
            }
            s.shutdownOutput();
            System.out.println(sent + " " + HexFormat.of().formatHex(sha.digest()));
        }
    }
}
