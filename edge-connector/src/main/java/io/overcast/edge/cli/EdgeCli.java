package io.overcast.edge.cli;

import io.overcast.edge.EdgeConnector;
import io.overcast.edge.adapter.GenericAdapter;
import io.overcast.edge.adapter.MonitorAdapter;
import io.overcast.edge.adapter.NtopngAdapter;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Enroller;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar edge-connector.jar enroll|run ...} */
@Command(
        name = "edge-connector",
        mixinStandardHelpOptions = true,
        version = "overcast edge-connector 0.1",
        subcommands = {EdgeCli.Enroll.class, EdgeCli.Run.class})
public final class EdgeCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new EdgeCli()).execute(args));
    }

    /** Options that describe the monitor beside this edge. */
    static final class MonitorOptions {
        @Option(names = "--product", defaultValue = "ntopng", description = "ntopng, nprobe, ntap or agent")
        String product;

        @Option(names = "--monitor-version", description = "the monitor's version, when the adapter cannot read it")
        String version;

        @Option(names = "--system-id", description = "a stable id of this host (default: /etc/machine-id)")
        String systemId;

        @Option(names = "--hostname", description = "host name to report (default: this host's)")
        String hostname;

        @Option(names = "--ntopng-url", description = "ntopng's base URL, e.g. http://127.0.0.1:3000")
        URI ntopngUrl;

        @Option(names = "--ntopng-token-file", description = "file holding ntopng's API token")
        Path ntopngTokenFile;

        MonitorAdapter adapter() throws Exception {
            return adapter(null);
        }

        MonitorAdapter adapter(io.overcast.edge.adapter.LicenseStateFile licenseFile) throws Exception {
            if (ntopngUrl != null) {
                if (ntopngTokenFile == null) {
                    throw new CommandLine.ParameterException(
                            new CommandLine(new EdgeCli()), "--ntopng-url needs --ntopng-token-file");
                }
                return new NtopngAdapter(
                                ntopngUrl, Files.readString(ntopngTokenFile).trim(), systemId, hostname)
                        .withLicenseStateFile(licenseFile);
            }
            return new GenericAdapter(product, version, systemId, hostname).withLicenseStateFile(licenseFile);
        }
    }

    @Command(name = "enroll", description = "Enrol this host with a token; the private key never leaves it.")
    static final class Enroll implements Callable<Integer> {
        @Option(names = "--server", required = true, description = "control plane base URL, https://host:port")
        URI server;

        @Option(names = "--token", required = true, description = "enrolment token (oct1....)")
        String token;

        @Option(names = "--state-dir", required = true, description = "where the key and certificate are kept")
        Path stateDir;

        @Option(names = "--name", description = "display name (default: host name)")
        String name;

        @Option(names = "--replace", description = "replace an instance already enrolled with this system id")
        boolean replace;

        @CommandLine.Mixin
        MonitorOptions monitor;

        @Override
        public Integer call() throws Exception {
            EdgeState state = new EdgeState(stateDir);
            try {
                var info =
                        new Enroller().enroll(server, token, monitor.adapter().facts(), name, replace, state);
                System.out.println("enrolled as instance " + info.instanceId() + " of tenant " + info.tenantId());
                return 0;
            } catch (Enroller.EnrollmentRefused e) {
                System.err.println("enrolment refused: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "run", description = "Keep the session to the control plane and report health.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--state-dir", required = true)
        Path stateDir;

        @Option(names = "--disk", description = "a path whose free space is reported (repeatable)", defaultValue = "/")
        List<Path> disks;

        @CommandLine.Mixin
        MonitorOptions monitor;

        @Option(
                names = "--license",
                paramLabel = "PRODUCT:EDITION",
                description = "a product and edition the monitor runs, leased from the cloud (repeatable),"
                        + " e.g. ntopng:enterprise_l")
        List<String> licenses = List.of();

        @Option(
                names = "--license-grace",
                defaultValue = "PT72H",
                description = "how long a lapsed lease still counts while the cloud is away (ISO-8601, default"
                        + " ${DEFAULT-VALUE})")
        java.time.Duration grace;

        @Option(
                names = "--clock-tolerance",
                defaultValue = "PT10M",
                description = "how far the clock may fall behind the last trusted time (default ${DEFAULT-VALUE})")
        java.time.Duration clockTolerance;

        @Option(
                names = "--license-state-file",
                description = "where the monitor reads the license state (default: STATE_DIR/license-state.json)")
        Path licenseStateFile;

        @Override
        public Integer call() throws Exception {
            CountDownLatch stop = new CountDownLatch(1);
            var wants = licenses.stream()
                    .map(io.overcast.edge.licensing.EdgeLicensing::want)
                    .toList();
            var options = new EdgeConnector.LicensingOptions(wants, grace, clockTolerance);
            var file = new io.overcast.edge.adapter.LicenseStateFile(
                    licenseStateFile != null ? licenseStateFile : stateDir.resolve("license-state.json"));
            MonitorAdapter adapter = monitor.adapter(file);
            try (EdgeConnector edge = new EdgeConnector(stateDir, adapter, disks, null, options)) {
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                edge.start();
                System.out.println("edge " + edge.identity().instanceId() + " running");
                stop.await();
            }
            return 0;
        }
    }
}
