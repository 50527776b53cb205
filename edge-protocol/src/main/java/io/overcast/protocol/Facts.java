package io.overcast.protocol;

/**
 * What an edge says about itself and its monitor.
 *
 * @param hostname host name of the edge
 * @param product one of ntopng, nprobe, ntap, agent
 * @param version the monitor's version
 * @param systemId a stable id of the host (machine-id or the monitor's system id)
 */
public record Facts(String hostname, String product, String version, String systemId) {}
