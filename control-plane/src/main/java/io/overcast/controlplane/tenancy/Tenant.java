package io.overcast.controlplane.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One customer of an organization; instances, tokens, alerts and channels belong to a tenant. */
@Entity
@Table(name = "tenants")
public class Tenant extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    public String name;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
