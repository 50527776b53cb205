package io.overcast.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.overcast.controlplane.e2e.Processes.Proc;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad bootstrap configuration: the control plane refuses to start, says why, and creates nothing. */
class BootstrapRefusalIT {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "OVERCAST_BOOTSTRAP_ADMIN_EMAIL|<unset>|OVERCAST_BOOTSTRAP_ADMIN_EMAIL is not set",
                "OVERCAST_BOOTSTRAP_ADMIN_PASSWORD|<unset>|there is no default password",
                "OVERCAST_BOOTSTRAP_ADMIN_PASSWORD|short|at least 12 characters",
                "OVERCAST_BOOTSTRAP_ADMIN_EMAIL|not-an-email|is not an e-mail address",
                "OVERCAST_MASTER_KEY|c2hvcnQ=|OVERCAST_MASTER_KEY must be 32 bytes",
                "OVERCAST_MASTER_KEY|<unset>|OVERCAST_MASTER_KEY is not set",
            })
    void refusesToStartAndSaysWhy(String variable, String value, String expected) throws Exception {
        String db = "overcast_refusal";
        Processes.freshDatabase(db);
        Map<String, String> env = Processes.controlPlaneEnv(db, Processes.freePort(), 2525);
        if (value.equals("<unset>")) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        try (Proc p = Processes.controlPlane("refusal-" + variable + "-" + value.hashCode(), env)) {
            assertTrue(p.process.waitFor(60, TimeUnit.SECONDS), "the process must stop on its own");
            assertNotEquals(0, p.process.exitValue());
            assertTrue(p.output().contains(expected), p.output());
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertTrue(rs.getInt(1) == 0, "no user was created");
        }
    }
}
