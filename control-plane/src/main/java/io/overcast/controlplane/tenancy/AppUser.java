package io.overcast.controlplane.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A console/API user: of a whole organization ({@code tenantId == null}) or of one tenant. */
@Entity
@Table(name = "users")
public class AppUser extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String email;

    @Column(name = "password_hash")
    public String passwordHash;

    @Enumerated(EnumType.STRING)
    public Role role;

    @Column(name = "failed_logins")
    public int failedLogins;

    @Column(name = "blocked_until")
    public OffsetDateTime blockedUntil;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
