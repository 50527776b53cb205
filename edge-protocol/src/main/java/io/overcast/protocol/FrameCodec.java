package io.overcast.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Encodes and decodes frames. Decoding never throws: a bad frame is a {@link Decoded.Bad} with a stable code.
 */
public final class FrameCodec {
    private final ObjectMapper mapper;

    public FrameCodec() {
        this(new ObjectMapper());
    }

    public FrameCodec(ObjectMapper mapper) {
        this.mapper = mapper.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Result of decoding one text frame. */
    public sealed interface Decoded permits Decoded.Ok, Decoded.Bad {
        record Ok(Frame frame) implements Decoded {}

        /**
         * @param code frame_too_large, frame_malformed or frame_id_invalid
         */
        record Bad(String code, String message) implements Decoded {}
    }

    public Decoded decode(String text) {
        if (text == null) {
            return new Decoded.Bad("frame_malformed", "empty frame");
        }
        // A char is at most 3 UTF-8 bytes: skip the exact count when the text is clearly small enough.
        if (text.length() * 3L > Limits.MAX_FRAME_BYTES
                && text.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_FRAME_BYTES) {
            return new Decoded.Bad("frame_too_large", "frame exceeds " + Limits.MAX_FRAME_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return new Decoded.Bad("frame_malformed", "not JSON");
        }
        if (root == null || !root.isObject()) {
            return new Decoded.Bad("frame_malformed", "frame is not a JSON object");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            return new Decoded.Bad("frame_malformed", "frame has no type");
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isNull() && (!id.isTextual() || id.asText().length() > Limits.MAX_ID_LENGTH)) {
            return new Decoded.Bad("frame_id_invalid", "id must be a string of at most " + Limits.MAX_ID_LENGTH);
        }
        JsonNode payload = root.get("payload");
        if (payload == null || payload.isNull()) {
            payload = mapper.createObjectNode();
        } else if (!payload.isObject()) {
            return new Decoded.Bad("frame_malformed", "payload must be an object");
        }
        return new Decoded.Ok(new Frame(type.asText(), id == null || id.isNull() ? null : id.asText(), payload));
    }

    public String encode(FrameType type, String id, Object payload) {
        ObjectNode root = mapper.createObjectNode();
        root.put("type", type.wireName());
        if (id != null) {
            root.put("id", id);
        }
        root.set("payload", payload == null ? mapper.createObjectNode() : mapper.valueToTree(payload));
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("payload cannot be serialised: " + payload.getClass(), e);
        }
    }

    /** Reads a payload as the record of its type; a payload of the wrong shape is an {@link IllegalArgumentException}. */
    public <T> T payload(Frame frame, Class<T> type) {
        try {
            return mapper.treeToValue(frame.payload(), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "payload of " + frame.type() + " is not a valid " + type.getSimpleName());
        }
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
