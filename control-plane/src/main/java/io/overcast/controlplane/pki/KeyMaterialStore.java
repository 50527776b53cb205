package io.overcast.controlplane.pki;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Key material shared by all replicas, sealed under the master key in table {@code key_material}. Runs at start,
 * before the HTTP server opens, over JDBC. When two replicas start on an empty database at once, the first insert
 * wins and both use it.
 */
@ApplicationScoped
public class KeyMaterialStore {
    /** A private key (PKCS#8 DER inside the seal) and an optional PEM certificate. */
    public record Material(String publicPem, PrivateKey key) {}

    private final AgroalDataSource ds;

    KeyMaterialStore(AgroalDataSource ds) {
        this.ds = ds;
    }

    public Material loadOrCreate(String name, MasterKey master, Supplier<Material> create) {
        return load(name, master).orElseGet(() -> {
            Material fresh = create.get();
            store(name, master, fresh, false);
            return load(name, master).orElseThrow();
        });
    }

    public void replace(String name, MasterKey master, Material material) {
        store(name, master, material, true);
    }

    private Optional<Material> load(String name, MasterKey master) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT public_pem, key_sealed FROM key_material WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] der = master.open("key_material:" + name, rs.getBytes(2));
                PrivateKey key;
                try {
                    key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (java.security.spec.InvalidKeySpecException notEc) {
                    key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
                }
                return Optional.of(new Material(rs.getString(1), key));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read key material " + name + ": " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("key material " + name + " is not a valid EC or Ed25519 key", e);
        }
    }

    private void store(String name, MasterKey master, Material m, boolean overwrite) {
        String sql = "INSERT INTO key_material (name, public_pem, key_sealed) VALUES (?, ?, ?) ON CONFLICT (name) DO "
                + (overwrite
                        ? "UPDATE SET public_pem = excluded.public_pem, key_sealed = excluded.key_sealed"
                        : "NOTHING");
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, m.publicPem());
            ps.setBytes(3, master.seal("key_material:" + name, m.key().getEncoded()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store key material " + name + ": " + e.getMessage(), e);
        }
    }
}
