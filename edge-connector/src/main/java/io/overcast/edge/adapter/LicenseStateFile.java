package io.overcast.edge.adapter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.protocol.Payloads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The license state as a JSON file beside the monitor ({@code {"updatedAt": ..., "licenses": [{"product",
 * "edition", "state", "kind", "until", "problem"}]}}), replaced atomically so a reader never sees half of it. The
 * monitor (or a script feeding it) reads it; ntopng's REST API has no endpoint to push a license to.
 */
public final class LicenseStateFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path path;

    public LicenseStateFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void write(List<Payloads.LicenseState> states, Instant now) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("updatedAt", now.toString());
        doc.put("licenses", states);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc), StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
