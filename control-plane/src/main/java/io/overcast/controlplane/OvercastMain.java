package io.overcast.controlplane;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.net.URI;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Entry point of the packaged control plane. Before Quarkus (and Flyway) start, it creates the configured
 * database when the server does not have it yet, so that {@code java -jar} works against a bare PostgreSQL. A user
 * without the right to create databases gets a warning and the usual error from Flyway.
 */
@QuarkusMain
public final class OvercastMain {
    private static final Logger LOG = Logger.getLogger(OvercastMain.class);

    private OvercastMain() {}

    public static void main(String... args) {
        try {
            ensureDatabase(ConfigProvider.getConfig());
        } catch (RuntimeException | SQLException e) {
            LOG.warnf("could not check or create the database: %s", e.getMessage());
        }
        Quarkus.run(args);
    }

    static void ensureDatabase(Config config) throws SQLException {
        Optional<String> url = config.getOptionalValue("quarkus.datasource.jdbc.url", String.class);
        if (url.isEmpty() || !url.get().startsWith("jdbc:postgresql://")) {
            return;
        }
        URI uri = URI.create(url.get().substring("jdbc:".length()));
        String db = uri.getPath().replaceFirst("^/", "");
        if (db.isEmpty() || !db.matches("[A-Za-z0-9_]+")) {
            return;
        }
        String user = config.getOptionalValue("quarkus.datasource.username", String.class)
                .orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class)
                .orElse("");
        String admin = "jdbc:postgresql://" + uri.getAuthority() + "/postgres"
                + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
        try (var c = DriverManager.getConnection(admin, user, password);
                var check = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            check.setString(1, db);
            if (check.executeQuery().next()) {
                return;
            }
            try (var create = c.createStatement()) {
                create.execute("CREATE DATABASE \"" + db + "\"");
            }
            LOG.infof("created database %s", db);
        }
    }
}
