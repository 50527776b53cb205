package io.overcast.edge.health;

import io.overcast.protocol.Health;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the host's health from /proc and the file system. Missing sources read as zero, never as an error. */
public final class HostHealth {
    private final Path proc;
    private final List<Path> disks;

    public HostHealth(Path proc, List<Path> disks) {
        this.proc = proc;
        this.disks = disks;
    }

    public static HostHealth linux(List<Path> disks) {
        return new HostHealth(Path.of("/proc"), disks);
    }

    public Health sample(Health.MonitorStatus monitor) {
        double[] load = loadAverage();
        long[] mem = memory();
        List<Health.Disk> d = new ArrayList<>();
        for (Path p : disks) {
            var f = p.toFile();
            d.add(new Health.Disk(p.toString(), f.getUsableSpace(), f.getTotalSpace()));
        }
        return new Health(load[0], load[1], load[2], mem[1] - mem[0], mem[1], d, uptime(), monitor);
    }

    double[] loadAverage() {
        try {
            String[] f = Files.readString(proc.resolve("loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[3];
        }
    }

    /** {available, total} in bytes. */
    long[] memory() {
        long total = 0;
        long available = 0;
        try {
            for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("MemTotal:")) {
                    total = Long.parseLong(f[1]) * 1024;
                } else if (f[0].equals("MemAvailable:")) {
                    available = Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
        return new long[] {available, total};
    }

    long uptime() {
        try {
            return (long) Double.parseDouble(
                    Files.readString(proc.resolve("uptime")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
