-- Live events for the console: every change of an instance's status, name or tags, every new or removed
-- instance and every new alert is announced on channel overcast_events when its transaction commits. Each
-- replica listens and passes the events to the browsers of users allowed to see that tenant. Payloads carry
-- ids and a status only, never health or user data.
CREATE FUNCTION overcast_instance_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r instances;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
    ELSE
        r := NEW;
    END IF;
    PERFORM pg_notify('overcast_events', json_build_object(
        'org', (SELECT org_id FROM tenants WHERE id = r.tenant_id),
        'tenant', r.tenant_id,
        'kind', 'instance',
        'op', lower(TG_OP),
        'id', r.id,
        'status', r.status)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER instances_added_or_removed AFTER INSERT OR DELETE ON instances
    FOR EACH ROW EXECUTE FUNCTION overcast_instance_event();
-- Heartbeat flushes (last_seen, health) do not fire it at all: only these columns, only when they changed.
CREATE TRIGGER instances_changed AFTER UPDATE OF status, name, tags ON instances
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name
                       OR OLD.tags IS DISTINCT FROM NEW.tags)
    EXECUTE FUNCTION overcast_instance_event();

CREATE FUNCTION overcast_alert_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('overcast_events', json_build_object(
        'org', (SELECT org_id FROM tenants WHERE id = NEW.tenant_id),
        'tenant', NEW.tenant_id,
        'kind', 'alert',
        'op', lower(TG_OP),
        'id', NEW.id,
        'status', NEW.kind)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER alerts_event AFTER INSERT OR UPDATE OF acknowledged_at ON alerts
    FOR EACH ROW EXECUTE FUNCTION overcast_alert_event();
