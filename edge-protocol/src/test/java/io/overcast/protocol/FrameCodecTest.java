package io.overcast.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void roundTripsAHeartbeat() {
        Health health = new Health(
                0.5,
                0.4,
                0.3,
                100,
                200,
                List.of(new Health.Disk("/", 1, 2)),
                42,
                new Health.MonitorStatus("ntopng", "6.4", "RUNNING", null));
        String text = codec.encode(FrameType.HEARTBEAT, "h1", new Payloads.Heartbeat(health));
        var ok = assertInstanceOf(FrameCodec.Decoded.Ok.class, codec.decode(text));
        assertEquals("heartbeat", ok.frame().type());
        assertEquals("h1", ok.frame().id());
        assertEquals(health, codec.payload(ok.frame(), Payloads.Heartbeat.class).health());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json|frame_malformed",
                "[1,2]|frame_malformed",
                "{\"id\":\"x\"}|frame_malformed",
                "{\"type\":\"\"}|frame_malformed",
                "{\"type\":7}|frame_malformed",
                "{\"type\":\"hello\",\"payload\":[1]}|frame_malformed",
                "{\"type\":\"hello\",\"id\":5}|frame_id_invalid",
            })
    void reportsBadFramesWithAStableCode(String text, String code) {
        var bad = assertInstanceOf(FrameCodec.Decoded.Bad.class, codec.decode(text));
        assertEquals(code, bad.code());
    }

    @Test
    void refusesOversizedFrames() {
        String big = "{\"type\":\"hello\",\"payload\":{\"x\":\"" + "a".repeat(Limits.MAX_FRAME_BYTES) + "\"}}";
        var bad = assertInstanceOf(FrameCodec.Decoded.Bad.class, codec.decode(big));
        assertEquals("frame_too_large", bad.code());
    }

    @Test
    void unknownTypesDecodeButDoNotParseAsAKnownType() {
        var ok = assertInstanceOf(FrameCodec.Decoded.Ok.class, codec.decode("{\"type\":\"teleport\"}"));
        assertEquals(java.util.Optional.empty(), FrameType.parse(ok.frame().type()));
    }

    @Test
    void wrongPayloadShapeIsAnIllegalArgument() {
        var ok = (FrameCodec.Decoded.Ok) codec.decode("{\"type\":\"renew\",\"payload\":{\"csr\":{\"a\":1}}}");
        assertThrows(IllegalArgumentException.class, () -> codec.payload(ok.frame(), Payloads.Renew.class));
    }
}
