package io.overcast.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnrollmentTokenFormatTest {
    private static final String SECRET = "A".repeat(43);
    private static final String FP = "b".repeat(43);

    @Test
    void rendersParsesAndMasks() {
        var t = new EnrollmentTokenFormat("abcdefghij23", SECRET, FP);
        String s = t.render();
        assertEquals("oct1.abcdefghij23." + SECRET + "." + FP, s);
        assertEquals(Optional.of(t), EnrollmentTokenFormat.parse(" " + s + "\n"));
        assertEquals("oct1.abcdefghij23.***", t.masked());
        assertTrue(!t.masked().contains(SECRET));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "oct1",
                "oct2.abcdefghij23.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "oct1.ABCDEFGHIJ23.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "oct1.abcdefghij23.short.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "oct1.abcdefghij23.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.bbbb",
                "oct1.abcdefghij23.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            })
    void refusesAnythingElse(String s) {
        assertEquals(Optional.empty(), EnrollmentTokenFormat.parse(s));
    }

    @Test
    void nullIsNotAToken() {
        assertEquals(Optional.empty(), EnrollmentTokenFormat.parse(null));
    }
}
