package io.overcast.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Vectors from draft-irtf-cfrg-xchacha-03: section 2.2.1 (HChaCha20) and appendix A.3.1 (the AEAD). */
class XAeadTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] sequence(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    @Test
    void hchacha20MatchesTheDraft() {
        byte[] out = XAead.hchacha20(sequence(0, 32), HEX.parseHex("000000090000004a0000000031415927"));
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", HEX.formatHex(out));
    }

    @Test
    void xchacha20Poly1305MatchesTheDraftAndRefusesTampering() {
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                        + " future, sunscreen would be it.")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] key = sequence(0x80, 32);
        byte[] nonce = sequence(0x40, 24);
        byte[] sealed = XAead.seal(key, nonce, plaintext, aad);
        assertEquals(
                "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb",
                HEX.formatHex(Arrays.copyOf(sealed, 32)));
        assertEquals(
                "c0875924c1c7987947deafd8780acf49",
                HEX.formatHex(Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length)));
        assertArrayEquals(plaintext, XAead.open(key, nonce, sealed, 0, sealed.length, aad));
        sealed[5] ^= 1;
        assertNull(XAead.open(key, nonce, sealed, 0, sealed.length, aad));
    }
}
