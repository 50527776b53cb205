package io.overcast.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The frame envelope.
 *
 * @param type the wire type; may be one this version does not know
 * @param id correlation id chosen by the requester, may be null
 * @param payload the body, an object (empty when absent)
 */
public record Frame(String type, String id, JsonNode payload) {}
