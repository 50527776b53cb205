-- Overcast foundation schema. Hibernate validates it; it never generates it.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations(id),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organizations(id),
    tenant_id       uuid REFERENCES tenants(id),
    email           text NOT NULL UNIQUE,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'OPERATOR', 'VIEWER')),
    failed_logins   integer NOT NULL DEFAULT 0,
    blocked_until   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    org_id       uuid,
    tenant_id    uuid,
    actor_id     uuid,
    actor        text NOT NULL,
    action       text NOT NULL,
    target_type  text,
    target_id    text,
    details      jsonb,
    source_ip    text
);
CREATE INDEX audit_events_org_at ON audit_events (org_id, at DESC);
CREATE INDEX audit_events_tenant_at ON audit_events (tenant_id, at DESC);

-- Key material, encrypted under the master key (AES-256-GCM). name: 'ca', 'jwt'.
CREATE TABLE key_material (
    name         text PRIMARY KEY,
    public_pem   text,  -- the CA certificate, or the public key, in PEM
    key_sealed   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollment_tokens (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    name         text NOT NULL,
    prefix       text NOT NULL UNIQUE,
    secret_hash  bytea NOT NULL,
    expires_at   timestamptz NOT NULL,
    max_uses     integer NOT NULL CHECK (max_uses > 0),
    uses         integer NOT NULL DEFAULT 0,
    tags         jsonb NOT NULL DEFAULT '[]',
    revoked_at   timestamptz,
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (uses <= max_uses)
);
CREATE INDEX enrollment_tokens_tenant ON enrollment_tokens (tenant_id);

CREATE TABLE instances (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES tenants(id),
    name               text NOT NULL,
    product            text NOT NULL,
    version            text,
    hostname           text,
    system_id          text NOT NULL,
    tags               jsonb NOT NULL DEFAULT '[]',
    status             text NOT NULL CHECK (status IN ('PENDING', 'ONLINE', 'OFFLINE', 'REVOKED')),
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    last_seen          timestamptz,
    session_id         uuid,
    replica_id         text,
    health             jsonb,
    cert_not_after     timestamptz,
    enrolled_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, system_id)
);
CREATE INDEX instances_tenant_status ON instances (tenant_id, status);
CREATE INDEX instances_online_seen ON instances (last_seen) WHERE status = 'ONLINE';

CREATE TABLE certificates (
    serial       text PRIMARY KEY,
    instance_id  uuid NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    not_before   timestamptz NOT NULL,
    not_after    timestamptz NOT NULL,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_instance ON certificates (instance_id);

-- One row per instance and minute: heartbeats are downsampled on write.
CREATE TABLE health_samples (
    instance_id    uuid NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    minute         timestamptz NOT NULL,
    load1          double precision,
    mem_used       bigint,
    mem_total      bigint,
    disk_free_min  bigint,
    monitor_status text,
    PRIMARY KEY (instance_id, minute)
);
CREATE INDEX health_samples_minute ON health_samples (minute);

CREATE TABLE alerts (
    id               bigserial PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants(id),
    instance_id      uuid REFERENCES instances(id) ON DELETE SET NULL,
    instance_name    text,
    kind             text NOT NULL CHECK (kind IN ('OFFLINE', 'ONLINE', 'FLAPPING')),
    message          text NOT NULL,
    notify           boolean NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    acknowledged_at  timestamptz,
    acknowledged_by  uuid
);
CREATE INDEX alerts_tenant_at ON alerts (tenant_id, created_at DESC);
CREATE INDEX alerts_instance_at ON alerts (instance_id, created_at DESC);

CREATE TABLE notification_channels (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('WEBHOOK', 'EMAIL')),
    target         text NOT NULL,
    secret_sealed  bytea,
    enabled        boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_channels_tenant ON notification_channels (tenant_id);

CREATE TABLE deliveries (
    id               bigserial PRIMARY KEY,
    alert_id         bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    channel_id       uuid NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX deliveries_channel ON deliveries (channel_id, created_at DESC);

-- Records the alerts of instances that just changed state, and queues their notifications, in the
-- caller's transaction. An instance with `flap_threshold` or more transitions within `flap_window`
-- gets one FLAPPING alert that notifies, and its further transitions are recorded without notifying.
CREATE FUNCTION overcast_record_transitions(ids uuid[], new_kind text, flap_window interval, flap_threshold integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    inserted integer;
BEGIN
    WITH moved AS (
        SELECT i.id, i.tenant_id, i.name,
               (SELECT count(*) FROM alerts a
                 WHERE a.instance_id = i.id AND a.kind IN ('OFFLINE', 'ONLINE')
                   AND a.created_at > now() - flap_window) AS recent,
               EXISTS (SELECT 1 FROM alerts a
                 WHERE a.instance_id = i.id AND a.kind = 'FLAPPING'
                   AND a.created_at > now() - flap_window) AS flap_open
          FROM instances i WHERE i.id = ANY(ids)
    ), rows AS (
        SELECT m.tenant_id, m.id, m.name, new_kind AS kind,
               'Instance ' || m.name || ' is ' || lower(new_kind) AS message,
               m.recent + 1 < flap_threshold AS notify
          FROM moved m
        UNION ALL
        SELECT m.tenant_id, m.id, m.name, 'FLAPPING',
               'Instance ' || m.name || ' is flapping: ' || (m.recent + 1) || ' transitions within ' || flap_window,
               true
          FROM moved m WHERE m.recent + 1 >= flap_threshold AND NOT m.flap_open
    ), ins AS (
        INSERT INTO alerts (tenant_id, instance_id, instance_name, kind, message, notify)
        SELECT tenant_id, id, name, kind, message, notify FROM rows
        RETURNING id, tenant_id, notify
    ), q AS (
        INSERT INTO deliveries (alert_id, channel_id, status)
        SELECT ins.id, c.id, 'PENDING' FROM ins
          JOIN notification_channels c ON c.tenant_id = ins.tenant_id AND c.enabled
         WHERE ins.notify
        RETURNING 1
    )
    SELECT count(*) INTO inserted FROM ins;
    IF inserted > 0 THEN
        PERFORM pg_notify('overcast_deliveries', '');
    END IF;
    RETURN inserted;
END $$;

-- Live control-plane processes. Each refreshes its row every second; the edges of a replica that stopped
-- refreshing are marked OFFLINE by the survivors.
CREATE TABLE replicas (
    id          text PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);
