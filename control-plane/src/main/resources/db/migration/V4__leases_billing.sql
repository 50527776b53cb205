-- Leases, metering and Stripe billing (issue 5).

-- The Stripe meter (event name) that a DAILY plan's consumed days are reported to.
ALTER TABLE plans ADD COLUMN stripe_meter text;

-- An MSP pays for its tenants: one Stripe customer per paying organization, created at its first checkout.
ALTER TABLE organizations ADD COLUMN stripe_customer text UNIQUE;

-- A grant of a DAILY or POOLED license to one instance. Renewal releases the previous lease of the same license
-- and instance; a POOLED seat is held by an unreleased lease that has not expired.
CREATE TABLE leases (
    id           uuid PRIMARY KEY,
    license_id   uuid NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    instance_id  uuid NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    product      text NOT NULL,
    edition      text NOT NULL,
    issued_at    timestamptz NOT NULL,
    valid_until  timestamptz NOT NULL CHECK (valid_until > issued_at),
    released_at  timestamptz
);
CREATE INDEX leases_held ON leases (license_id, instance_id) WHERE released_at IS NULL;
CREATE INDEX leases_instance ON leases (instance_id) WHERE released_at IS NULL;
CREATE INDEX leases_old ON leases (valid_until);

-- One consumed day of a DAILY license. Written in the transaction of the lease that consumed it; kept when the
-- instance is deleted (it is a billing record).
CREATE TABLE usage_days (
    license_id   uuid NOT NULL REFERENCES licenses(id),
    instance_id  uuid NOT NULL,
    product      text NOT NULL,
    edition      text NOT NULL,
    day          date NOT NULL,
    org_id       uuid NOT NULL REFERENCES organizations(id),
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    lease_id     uuid NOT NULL,
    identifier   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (license_id, instance_id, product, edition, day)
);
CREATE INDEX usage_days_tenant ON usage_days (tenant_id, day);

-- Meter events waiting to reach Stripe. The identifier is the usage day's: Stripe keeps one event per identifier,
-- so a resend after a crash, or by a second replica, bills the day once.
CREATE TABLE meter_outbox (
    identifier       text PRIMARY KEY REFERENCES usage_days(identifier),
    org_id           uuid NOT NULL REFERENCES organizations(id),
    event_name       text NOT NULL,
    occurred_at      timestamptz NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    last_error       text
);
CREATE INDEX meter_outbox_due ON meter_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- A purchase started through Stripe Checkout, fulfilled by the webhook.
CREATE TABLE purchases (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES organizations(id),
    tenant_id         uuid NOT NULL REFERENCES tenants(id),
    plan_id           text NOT NULL REFERENCES plans(id),
    quantity          integer NOT NULL CHECK (quantity > 0),
    system_id         text,
    mode              text NOT NULL CHECK (mode IN ('payment', 'subscription')),
    created_by        uuid,
    checkout_session  text UNIQUE,
    checkout_url      text,
    subscription      text UNIQUE,
    payment_intent    text UNIQUE,
    status            text NOT NULL CHECK (status IN ('OPEN', 'AWAITING_PAYMENT', 'FULFILLED', 'FAILED', 'ENDED')),
    ended_reason      text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchases_tenant ON purchases (tenant_id, created_at DESC);

ALTER TABLE licenses ADD COLUMN purchase_id uuid REFERENCES purchases(id);
CREATE INDEX licenses_purchase ON licenses (purchase_id) WHERE purchase_id IS NOT NULL;
CREATE INDEX licenses_tenant_product ON licenses (tenant_id, product, edition) WHERE status = 'ACTIVE';

-- Every Stripe event processed, by id: a redelivery is acknowledged and ignored.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY,
    type         text NOT NULL,
    created      timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    outcome      text NOT NULL
);

-- An ending (refund, failed payment, cancelled subscription) that arrived before the purchase it ends was known
-- by that Stripe id: fulfilment finds it here and does not issue, so the order of events does not matter.
CREATE TABLE billing_endings (
    external_id  text PRIMARY KEY,
    reason       text NOT NULL,
    event_id     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- What the edge last reported to its monitor about its licenses (from its heartbeat).
ALTER TABLE instances ADD COLUMN license_state jsonb;
