package io.overcast.edge.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostHealthTest {
    @TempDir
    Path proc;

    @Test
    void readsLoadMemoryAndUptimeFromProc() throws Exception {
        Files.writeString(proc.resolve("loadavg"), "0.52 0.40 0.31 1/123 4567\n");
        Files.writeString(
                proc.resolve("meminfo"), "MemTotal:       2048 kB\nMemFree:  100 kB\nMemAvailable:   512 kB\n");
        Files.writeString(proc.resolve("uptime"), "3600.55 7000.00\n");
        var h = new HostHealth(proc, List.of(proc)).sample(null);
        assertEquals(0.52, h.load1());
        assertEquals(0.31, h.load15());
        assertEquals(2048 * 1024, h.memTotalBytes());
        assertEquals((2048 - 512) * 1024, h.memUsedBytes());
        assertEquals(3600, h.uptimeSeconds());
        assertEquals(proc.toString(), h.disks().get(0).path());
    }

    @Test
    void missingSourcesReadAsZero() {
        var h = new HostHealth(proc.resolve("absent"), List.of()).sample(null);
        assertEquals(0, h.load1());
        assertEquals(0, h.memTotalBytes());
        assertEquals(0, h.uptimeSeconds());
    }
}
