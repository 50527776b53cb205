package io.overcast.overlay.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** Curve25519 Diffie-Hellman on raw 32-byte keys, as WireGuard uses them, through the JDK's XDH. */
public final class X25519 {
    public static final int KEY_SIZE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] BASE_POINT = basePoint();

    private X25519() {}

    private static byte[] basePoint() {
        byte[] b = new byte[KEY_SIZE];
        b[0] = 9;
        return b;
    }

    /** A new private key, clamped as {@code wg genkey} does. */
    public static byte[] generatePrivate() {
        byte[] k = new byte[KEY_SIZE];
        RANDOM.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    public static byte[] publicKey(byte[] privateKey) {
        return sharedSecret(privateKey, BASE_POINT);
    }

    /** X25519(private, public); an all-zero result (a low-order public key) is an error. */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) {
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
            byte[] le = publicKey.clone();
            le[KEY_SIZE - 1] &= 127;
            byte[] be = new byte[KEY_SIZE];
            for (int i = 0; i < KEY_SIZE; i++) {
                be[i] = le[KEY_SIZE - 1 - i];
            }
            PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 failed: " + e.getMessage());
        }
    }
}
