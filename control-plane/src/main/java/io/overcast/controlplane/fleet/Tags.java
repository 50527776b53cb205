package io.overcast.controlplane.fleet;

import io.overcast.controlplane.error.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** Instance tags: up to 32 labels of letters, digits and {@code . _ - : /}, 1 to 64 characters each. */
public final class Tags {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._:/-]{1,64}");
    private static final int MAX = 32;

    private Tags() {}

    public static List<String> validate(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX) {
            throw ApiException.badRequest("invalid_tags", "at most " + MAX + " tags");
        }
        var out = new LinkedHashSet<String>();
        for (String t : tags) {
            if (t == null || !TAG.matcher(t).matches()) {
                throw ApiException.badRequest(
                        "invalid_tags", "a tag is 1 to 64 letters, digits or . _ - : / characters");
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }
}
