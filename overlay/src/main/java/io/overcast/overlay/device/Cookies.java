package io.overcast.overlay.device;

import io.overcast.overlay.crypto.Blake2s;
import io.overcast.overlay.crypto.XAead;
import io.overcast.overlay.noise.Messages;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * WireGuard's DoS cookies (paper section 5.4.7). The checker, on the responder, verifies MAC1 and MAC2 and makes
 * cookie replies: cookie = MAC(secret, source address and port), the secret changing every two minutes, sent
 * encrypted with XChaCha20-Poly1305 under HASH("cookie--" || our public key) with the initiator's MAC1 as AD. The
 * generator, on the initiator, keeps the last cookie received from a peer and adds MAC2 to its messages while it is
 * fresh.
 */
final class Cookies {
    static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Cookies() {}

    static final class Checker {
        private final byte[] mac1Key;
        private final byte[] encryptionKey;
        private final long refreshNanos;
        private final byte[] secret = new byte[32];
        private long secretSetNanos;
        private boolean secretSet;

        Checker(byte[] localPublic, long refreshNanos) {
            this.mac1Key = Blake2s.hash(LABEL_MAC1, localPublic);
            this.encryptionKey = Blake2s.hash(LABEL_COOKIE, localPublic);
            this.refreshNanos = refreshNanos;
        }

        boolean checkMac1(byte[] m, int length) {
            int mac1 = length - 32;
            return MessageDigest.isEqual(
                    Blake2s.mac(mac1Key, m, 0, mac1), Arrays.copyOfRange(m, mac1, mac1 + Blake2s.MAC_SIZE));
        }

        synchronized boolean checkMac2(byte[] m, int length, byte[] source) {
            if (!secretSet || System.nanoTime() - secretSetNanos > refreshNanos) {
                return false;
            }
            byte[] cookie = Blake2s.mac(secret, source, 0, source.length);
            int mac2 = length - Blake2s.MAC_SIZE;
            return MessageDigest.isEqual(Blake2s.mac(cookie, m, 0, mac2), Arrays.copyOfRange(m, mac2, length));
        }

        /** A 64-byte cookie reply to the handshake message m from source (address bytes then port). */
        synchronized byte[] reply(byte[] m, int length, byte[] source) {
            if (!secretSet || System.nanoTime() - secretSetNanos > refreshNanos) {
                RANDOM.nextBytes(secret);
                secretSetNanos = System.nanoTime();
                secretSet = true;
            }
            byte[] cookie = Blake2s.mac(secret, source, 0, source.length);
            byte[] r = new byte[Messages.COOKIE_SIZE];
            r[0] = Messages.TYPE_COOKIE;
            System.arraycopy(m, 4, r, 4, 4); // the receiver is the sender of the message we refuse
            byte[] nonce = new byte[XAead.NONCE_SIZE];
            RANDOM.nextBytes(nonce);
            System.arraycopy(nonce, 0, r, 8, XAead.NONCE_SIZE);
            int mac1 = length - 32;
            byte[] sealed = XAead.seal(encryptionKey, nonce, cookie, Arrays.copyOfRange(m, mac1, mac1 + 16));
            System.arraycopy(sealed, 0, r, 32, sealed.length);
            return r;
        }
    }

    static final class Generator {
        private final byte[] mac1Key;
        private final byte[] encryptionKey;
        private final long refreshNanos;
        private byte[] lastMac1;
        private byte[] cookie;
        private long cookieSetNanos;

        Generator(byte[] remotePublic, long refreshNanos) {
            this.mac1Key = Blake2s.hash(LABEL_MAC1, remotePublic);
            this.encryptionKey = Blake2s.hash(LABEL_COOKIE, remotePublic);
            this.refreshNanos = refreshNanos;
        }

        /** Takes a cookie reply answering our last message; false when it does not decrypt. */
        synchronized boolean consumeReply(byte[] r, int length) {
            if (lastMac1 == null || length != Messages.COOKIE_SIZE) {
                return false;
            }
            byte[] plain = XAead.open(encryptionKey, Arrays.copyOfRange(r, 8, 32), r, 32, 32, lastMac1);
            if (plain == null) {
                return false;
            }
            cookie = plain;
            cookieSetNanos = System.nanoTime();
            return true;
        }

        /** Writes MAC1 (again, under this peer's key) and, while a cookie is fresh, MAC2 into the message. */
        synchronized void addMacs(byte[] m) {
            int mac1 = m.length - 32;
            byte[] mac = Blake2s.mac(mac1Key, m, 0, mac1);
            System.arraycopy(mac, 0, m, mac1, 16);
            lastMac1 = mac;
            if (cookie != null && System.nanoTime() - cookieSetNanos <= refreshNanos) {
                System.arraycopy(Blake2s.mac(cookie, m, 0, mac1 + 16), 0, m, mac1 + 16, 16);
            }
        }
    }
}
