package io.overcast.controlplane.audit;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/**
 * Writes audit events inside the caller's transaction: {@link #record} within a Panache transaction,
 * {@link #record(SqlConnection, Actor, UUID, String, String, String, Map)} on a reactive SQL connection.
 */
@ApplicationScoped
public class AuditLog {

    public Uni<Void> record(
            Actor actor,
            UUID tenantId,
            String action,
            String targetType,
            String targetId,
            Map<String, Object> details) {
        AuditEvent e = new AuditEvent();
        e.orgId = actor.orgId();
        e.tenantId = tenantId;
        e.actorId = actor.userId();
        e.actor = actor.name();
        e.action = action;
        e.targetType = targetType;
        e.targetId = targetId;
        e.details = details;
        e.sourceIp = actor.sourceIp();
        return e.persist().replaceWithVoid();
    }

    public Uni<Void> record(
            SqlConnection conn,
            Actor actor,
            UUID tenantId,
            String action,
            String targetType,
            String targetId,
            Map<String, Object> details) {
        return conn.preparedQuery("INSERT INTO audit_events (org_id, tenant_id, actor_id, actor, action, target_type,"
                        + " target_id, details, source_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .execute(Tuple.from(new Object[] {
                    actor.orgId(),
                    tenantId,
                    actor.userId(),
                    actor.name(),
                    action,
                    targetType,
                    targetId,
                    details == null ? null : new JsonObject(details),
                    actor.sourceIp()
                }))
                .replaceWithVoid();
    }
}
