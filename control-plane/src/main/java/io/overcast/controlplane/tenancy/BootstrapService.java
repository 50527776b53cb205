package io.overcast.controlplane.tenancy;

import io.agroal.api.AgroalDataSource;
import io.overcast.controlplane.auth.PasswordHasher;
import io.overcast.controlplane.config.OvercastConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Creates the first organization and its owner on an empty database, from OVERCAST_BOOTSTRAP_ADMIN_EMAIL and
 * OVERCAST_BOOTSTRAP_ADMIN_PASSWORD. There is no default password: on an empty database without them, or with a
 * weak password, the control plane refuses to start and says why.
 */
@ApplicationScoped
public class BootstrapService {
    private static final Logger LOG = Logger.getLogger(BootstrapService.class);
    static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    static final int MIN_PASSWORD = 12;

    private final AgroalDataSource ds;
    private final OvercastConfig config;

    BootstrapService(AgroalDataSource ds, OvercastConfig config) {
        this.ds = ds;
        this.config = config;
    }

    void onStart(@Observes @Priority(30) StartupEvent event) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (var lock = c.prepareStatement("SELECT pg_advisory_xact_lock(4242)")) {
                lock.execute();
            }
            boolean empty;
            try (var ps = c.prepareStatement("SELECT NOT EXISTS (SELECT 1 FROM organizations)");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                empty = rs.getBoolean(1);
            }
            if (!empty) {
                c.rollback();
                return;
            }
            String email = validEmail();
            String password = validPassword();
            UUID org = UUID.randomUUID();
            UUID user = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO organizations (id, name) VALUES (?, ?)")) {
                ps.setObject(1, org);
                ps.setString(2, config.bootstrap().organization());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users (id, org_id, email, password_hash, role) VALUES (?, ?, ?, ?, 'OWNER')")) {
                ps.setObject(1, user);
                ps.setObject(2, org);
                ps.setString(3, email);
                ps.setString(4, PasswordHasher.hash(password));
                ps.executeUpdate();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO audit_events (org_id, actor, action, target_type,"
                            + " target_id) VALUES (?, 'system', 'bootstrap.owner_created', 'user', ?)")) {
                ps.setObject(1, org);
                ps.setString(2, user.toString());
                ps.executeUpdate();
            }
            c.commit();
            LOG.infof(
                    "bootstrap: created organization '%s' and its owner %s",
                    config.bootstrap().organization(), email);
        } catch (SQLException e) {
            throw new IllegalStateException("bootstrap failed: " + e.getMessage(), e);
        }
    }

    private String validEmail() {
        String email = config.bootstrap()
                .adminEmail()
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .orElseThrow(() -> refuse("OVERCAST_BOOTSTRAP_ADMIN_EMAIL is not set and the database has no "
                        + "organization yet: set it and OVERCAST_BOOTSTRAP_ADMIN_PASSWORD for the first owner"));
        if (!EMAIL.matcher(email).matches()) {
            throw refuse("OVERCAST_BOOTSTRAP_ADMIN_EMAIL is not an e-mail address");
        }
        return email;
    }

    private String validPassword() {
        String pw = config.bootstrap()
                .adminPassword()
                .orElseThrow(
                        () -> refuse("OVERCAST_BOOTSTRAP_ADMIN_PASSWORD is not set: there is no default password"));
        if (pw.length() < MIN_PASSWORD) {
            throw refuse("OVERCAST_BOOTSTRAP_ADMIN_PASSWORD must have at least " + MIN_PASSWORD + " characters");
        }
        return pw;
    }

    private static IllegalStateException refuse(String why) {
        return new IllegalStateException("Overcast refuses to start: " + why);
    }
}
