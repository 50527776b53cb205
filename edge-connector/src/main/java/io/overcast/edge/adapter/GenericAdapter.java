package io.overcast.edge.adapter;

import io.overcast.protocol.Facts;
import io.overcast.protocol.Health;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** A monitor the edge cannot query: facts come from flags, the status is RUNNING as long as the edge runs. */
public final class GenericAdapter implements MonitorAdapter {
    private final Facts facts;

    public GenericAdapter(String product, String version, String systemId, String hostname) {
        this.facts = new Facts(
                hostname == null ? localHostname() : hostname,
                product,
                version,
                systemId == null ? machineId() : systemId);
    }

    private LicenseStateFile licenseFile;

    /** Publishes the license state to this file (see {@link LicenseStateFile}). */
    public GenericAdapter withLicenseStateFile(LicenseStateFile file) {
        this.licenseFile = file;
        return this;
    }

    @Override
    public void licensesChanged(java.util.List<io.overcast.protocol.Payloads.LicenseState> states) throws IOException {
        if (licenseFile != null) {
            licenseFile.write(states, java.time.Instant.now());
        }
    }

    @Override
    public Facts facts() {
        return facts;
    }

    @Override
    public Health.MonitorStatus status() {
        return new Health.MonitorStatus(facts.product(), facts.version(), "RUNNING", null);
    }

    public static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The host's stable id: systemd's machine id, or the host name when there is none. */
    public static String machineId() {
        for (String f : new String[] {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            try {
                String id = Files.readString(Path.of(f)).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            } catch (IOException e) {
                // try the next one
            }
        }
        return localHostname();
    }
}
