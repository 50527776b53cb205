package io.overcast.licensing;

/** How a license is consumed. */
public enum LicenseKind {
    /** Perpetual, node-locked to a system id, with maintenance until a date. */
    PERMANENT,
    /** Valid until an end date, renewed by payment. */
    SUBSCRIPTION,
    /** Pay per use: one day is consumed for each UTC day an instance runs the product at that edition. */
    DAILY,
    /** N seats that a tenant's instances check out and give back. */
    POOLED;

    /** Kinds that reach an instance as short-lived leases rather than as the license itself. */
    public boolean leased() {
        return this == DAILY || this == POOLED;
    }
}
