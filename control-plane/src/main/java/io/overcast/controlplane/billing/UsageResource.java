package io.overcast.controlplane.billing;

import io.overcast.controlplane.auth.AccessControl;
import io.overcast.controlplane.error.ApiException;
import io.overcast.controlplane.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** GET /api/v1/tenants/{tenantId}/usage: the days consumed under DAILY licenses, by UTC day and product. */
@Path("/api/v1/tenants/{tenantId}/usage")
public class UsageResource {
    public record UsageRow(LocalDate day, String product, String edition, long instances) {}

    public record Usage(LocalDate from, LocalDate to, List<UsageRow> days, long total) {}

    private final AccessControl access;
    private final Pool pool;

    UsageResource(AccessControl access, Pool pool) {
        this.access = access;
        this.pool = pool;
    }

    /** Consumed days by day and product, from {@code from} to {@code to} (UTC days, default: this month). */
    @GET
    @RolesAllowed({"OWNER", "ADMIN", "OPERATOR", "VIEWER"})
    @WithSession
    public Uni<Usage> usage(
            @PathParam("tenantId") UUID tenantId, @QueryParam("from") String from, @QueryParam("to") String to) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate start = day(from, today.withDayOfMonth(1), "from");
        LocalDate end = day(to, today, "to");
        if (end.isBefore(start) || start.plusDays(366).isBefore(end)) {
            throw ApiException.badRequest("invalid_range", "to must be on or after from, within 366 days");
        }
        return access.tenant(tenantId, Role.VIEWER)
                .flatMap(t -> pool.preparedQuery("SELECT day, product, edition, count(*) AS n FROM usage_days WHERE"
                                + " tenant_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day, product, edition ORDER BY"
                                + " day, product, edition")
                        .execute(Tuple.of(t.id, start, end)))
                .map(rows -> {
                    List<UsageRow> out = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        long n = r.getLong("n");
                        total += n;
                        out.add(new UsageRow(r.getLocalDate("day"), r.getString("product"), r.getString("edition"), n));
                    }
                    return new Usage(start, end, out, total);
                });
    }

    private static LocalDate day(String text, LocalDate fallback, String name) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_range", name + " must be a date, YYYY-MM-DD");
        }
    }
}
