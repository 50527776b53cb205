package io.overcast.controlplane.licensing;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * The plan catalog. On first start, when the plans table is empty and OVERCAST_LICENSING_DEMO_CATALOG is not
 * false, a demo catalog is loaded (ntopng editions as permanent, subscription and daily plans; nProbe daily; nTap
 * monthly; a 50-seat pool of endpoint agents). An operator edits the table (or sets the flag false and inserts
 * their own) to sell what they sell; each paid plan names its Stripe price.
 */
@ApplicationScoped
public class Catalog {
    private static final Logger LOG = Logger.getLogger(Catalog.class);

    private static final Object[][] DEMO = {
        // id, name, product, edition, kind, duration days, seats, stripe price, stripe meter (DAILY)
        {
            "ntopng-pro-permanent",
            "ntopng Pro, permanent",
            "ntopng",
            "pro",
            "PERMANENT",
            365,
            1,
            "price_demo_ntopng_pro",
            null
        },
        {
            "ntopng-em-yearly",
            "ntopng Enterprise M, yearly",
            "ntopng",
            "enterprise_m",
            "SUBSCRIPTION",
            365,
            1,
            "price_demo_ntopng_em_year",
            null
        },
        {
            "ntopng-el-daily",
            "ntopng Enterprise L, per day",
            "ntopng",
            "enterprise_l",
            "DAILY",
            null,
            1,
            "price_demo_ntopng_el_day",
            "ovc_ntopng_enterprise_l_days"
        },
        {
            "nprobe-pro-daily",
            "nProbe Pro, per day",
            "nprobe",
            "pro",
            "DAILY",
            null,
            1,
            "price_demo_nprobe_day",
            "ovc_nprobe_pro_days"
        },
        {"ntap-monthly", "nTap, monthly", "ntap", "standard", "SUBSCRIPTION", 30, 1, "price_demo_ntap_month", null},
        {
            "agent-pool-50",
            "Endpoint agents, per seat",
            "agent",
            "standard",
            "POOLED",
            365,
            50,
            "price_demo_agent_seat",
            null
        },
    };

    private final AgroalDataSource ds;
    private final boolean demo;

    Catalog(AgroalDataSource ds, io.overcast.controlplane.config.OvercastConfig config) {
        this.ds = ds;
        this.demo = config.licensing().demoCatalog();
    }

    void onStart(@Observes @Priority(35) StartupEvent event) throws SQLException {
        if (!demo) {
            return;
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("LOCK TABLE plans IN EXCLUSIVE MODE");
                    PreparedStatement count = c.prepareStatement("SELECT count(*) FROM plans")) {
                lock.execute(); // two replicas starting together load it once
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        c.rollback();
                        return;
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO plans (id, name, product, edition, kind,"
                    + " duration_days, seats, stripe_price, stripe_meter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Object[] p : DEMO) {
                    for (int i = 0; i < p.length; i++) {
                        insert.setObject(i + 1, p[i]);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            LOG.infof(
                    "loaded the demo plan catalog (%d plans); set OVERCAST_LICENSING_DEMO_CATALOG=false to start empty",
                    DEMO.length);
        }
    }
}
