package io.overcast.controlplane.audit;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One change: who did what to which object, when and from where. Never updated, never deleted by the API. */
@Entity
@Table(name = "audit_events")
public class AuditEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(insertable = false, updatable = false)
    public OffsetDateTime at;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "actor_id")
    public UUID actorId;

    public String actor;
    public String action;

    @Column(name = "target_type")
    public String targetType;

    @Column(name = "target_id")
    public String targetId;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;

    @Column(name = "source_ip")
    public String sourceIp;
}
