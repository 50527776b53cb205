package io.overcast.protocol;

import java.util.List;

/**
 * One health sample, as an edge measures it.
 *
 * @param load1 1-minute load average
 * @param load5 5-minute load average
 * @param load15 15-minute load average
 * @param memUsedBytes memory in use (total minus available)
 * @param memTotalBytes total memory
 * @param disks free space of the configured paths
 * @param uptimeSeconds host uptime
 * @param monitor the monitor's own status
 */
public record Health(
        double load1,
        double load5,
        double load15,
        long memUsedBytes,
        long memTotalBytes,
        List<Disk> disks,
        long uptimeSeconds,
        MonitorStatus monitor) {

    /** Free space of one path. */
    public record Disk(String path, long freeBytes, long totalBytes) {}

    /**
     * The monitor's status as its adapter sees it.
     *
     * @param status RUNNING, DEGRADED, DOWN or UNKNOWN
     */
    public record MonitorStatus(String product, String version, String status, String detail) {}
}
