package io.overcast.controlplane.tenancy;

/** User roles, from least to most powerful; a role can do everything the ones before it can. */
public enum Role {
    /** Reads everything in scope, changes nothing. */
    VIEWER,
    /** Operates instances: rename, tag, revoke, acknowledge alerts, create enrolment tokens. */
    OPERATOR,
    /** Manages tenants, users, channels within the scope. */
    ADMIN,
    /** Everything, including other owners. */
    OWNER;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }
}
