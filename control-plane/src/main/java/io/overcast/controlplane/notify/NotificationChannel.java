package io.overcast.controlplane.notify;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Where a tenant's alerts go: a webhook URL (signed with HMAC-SHA256 under a per-channel secret, kept sealed under
 * the master key since signing needs it back) or an e-mail address.
 */
@Entity
@Table(name = "notification_channels")
public class NotificationChannel extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String name;
    public String kind;
    public String target;

    @Column(name = "secret_sealed")
    public byte[] secretSealed;

    public boolean enabled;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
