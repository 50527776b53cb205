package io.overcast.controlplane.tenancy;

import io.overcast.controlplane.error.ApiException;

/** Rules for the display names and labels users give things. */
public final class Names {
    public static final int MAX = 128;

    private Names() {}

    /** Trimmed, 1 to 128 printable characters; else 400 {@code invalid_<field>}. */
    public static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("invalid_" + field, field + " is required");
        }
        String v = value.strip();
        if (v.length() > MAX || v.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest(
                    "invalid_" + field, field + " must be at most " + MAX + " printable characters");
        }
        return v;
    }
}
