package io.overcast.controlplane.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An MSP, or a direct customer: owns tenants and users. */
@Entity
@Table(name = "organizations")
public class Organization extends PanacheEntityBase {
    @Id
    public UUID id;

    public String name;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
