package io.overcast.edge.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * What an enrolled edge keeps in its state directory: {@code key.pem} (mode 0600, never leaves the host),
 * {@code cert.pem}, {@code ca.pem} and {@code state.json}. Every file is written to a temporary name and renamed,
 * so a crash never leaves a half-written key or certificate.
 */
public final class EdgeState {
    /** The non-secret part, as stored in state.json. */
    public record Info(
            String instanceId,
            String tenantId,
            List<String> sessionUrls,
            int heartbeatIntervalSeconds,
            String product,
            String name) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public EdgeState(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public boolean enrolled() {
        return Files.exists(dir.resolve("state.json")) && Files.exists(dir.resolve("key.pem"));
    }

    public Info info() {
        try {
            return JSON.readValue(dir.resolve("state.json").toFile(), Info.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("state.json"), e);
        }
    }

    public String keyPem() {
        return read("key.pem");
    }

    public String certPem() {
        return read("cert.pem");
    }

    public String caPem() {
        return read("ca.pem");
    }

    /** Saves a new identity (after enrolment); the key first, so a certificate never names a missing key. */
    public void saveIdentity(String keyPem, String certPem, String caPem, Info info) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            writeAtomically("key.pem", keyPem, true);
            writeAtomically("cert.pem", certPem, false);
            writeAtomically("ca.pem", caPem, false);
            writeAtomically("state.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state directory " + dir, e);
        }
    }

    /** Saves a renewed key and certificate. */
    public void saveRenewal(String keyPem, String certPem) {
        try {
            writeAtomically("key.pem.next", keyPem, true);
            writeAtomically("cert.pem.next", certPem, false);
            move("key.pem.next", "key.pem");
            move("cert.pem.next", "cert.pem");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the renewed certificate in " + dir, e);
        }
    }

    private void move(String from, String to) throws IOException {
        try {
            Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void writeAtomically(String name, String content, boolean secret) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(
                tmp,
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        move(name + ".tmp", name);
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(name) + ": is this edge enrolled?", e);
        }
    }
}
