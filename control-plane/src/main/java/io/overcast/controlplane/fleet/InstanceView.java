package io.overcast.controlplane.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An instance as the API shows it. */
public record InstanceView(
        UUID id,
        UUID tenantId,
        String name,
        String product,
        String version,
        String hostname,
        String systemId,
        List<String> tags,
        String status,
        OffsetDateTime statusChangedAt,
        OffsetDateTime lastSeen,
        OffsetDateTime certificateNotAfter,
        OffsetDateTime enrolledAt,
        Map<String, Object> health,
        List<Object> licenses) {

    static final String COLUMNS = "id, tenant_id, name, product, version, hostname, system_id, tags, status,"
            + " status_changed_at, last_seen, cert_not_after, enrolled_at, health, license_state";

    static InstanceView of(Row r) {
        JsonArray tags = (JsonArray) r.getValue("tags");
        Object health = r.getValue("health");
        Object licenses = r.getValue("license_state");
        return new InstanceView(
                r.getUUID("id"),
                r.getUUID("tenant_id"),
                r.getString("name"),
                r.getString("product"),
                r.getString("version"),
                r.getString("hostname"),
                r.getString("system_id"),
                tags == null ? List.of() : tags.stream().map(String::valueOf).toList(),
                r.getString("status"),
                r.getOffsetDateTime("status_changed_at"),
                r.getOffsetDateTime("last_seen"),
                r.getOffsetDateTime("cert_not_after"),
                r.getOffsetDateTime("enrolled_at"),
                health instanceof JsonObject j ? j.getMap() : null,
                licenses instanceof JsonArray a ? a.getList() : null);
    }
}
