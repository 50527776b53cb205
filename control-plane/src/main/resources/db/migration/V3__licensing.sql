-- Licensing (issue 5): the plan catalog an operator configures, and the licenses issued from it. The signed
-- document is kept as issued (it is what an offline box receives); its claims are also columns for queries.
CREATE TABLE plans (
    id             text PRIMARY KEY,
    name           text NOT NULL,
    product        text NOT NULL CHECK (product IN ('ntopng', 'nprobe', 'ntap', 'n2disk', 'agent')),
    edition        text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('PERMANENT', 'SUBSCRIPTION', 'DAILY', 'POOLED')),
    duration_days  integer CHECK (duration_days > 0),
    seats          integer NOT NULL DEFAULT 1 CHECK (seats > 0),
    limits         jsonb NOT NULL DEFAULT '{}',
    features       jsonb NOT NULL DEFAULT '[]',
    stripe_price   text,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE licenses (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organizations(id),
    tenant_id          uuid NOT NULL REFERENCES tenants(id),
    plan_id            text REFERENCES plans(id),
    product            text NOT NULL,
    edition            text NOT NULL,
    kind               text NOT NULL,
    system_id          text,
    seats              integer NOT NULL,
    not_before         timestamptz NOT NULL,
    expires_at         timestamptz,
    maintenance_until  timestamptz,
    instance_id        uuid REFERENCES instances(id) ON DELETE SET NULL,
    status             text NOT NULL CHECK (status IN ('ACTIVE', 'ENDED')),
    source             text NOT NULL CHECK (source IN ('ADMIN', 'STRIPE')),
    key_id             text NOT NULL,
    document           text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    ended_at           timestamptz
);
CREATE INDEX licenses_tenant ON licenses (tenant_id, created_at DESC);
CREATE INDEX licenses_instance ON licenses (instance_id) WHERE instance_id IS NOT NULL;
