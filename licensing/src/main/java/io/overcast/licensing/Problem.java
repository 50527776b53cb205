package io.overcast.licensing;

/** Why a license or lease was refused; the names are the stable error codes the API and the edge report. */
public enum Problem {
    MALFORMED,
    UNSUPPORTED_ALGORITHM,
    UNKNOWN_KEY,
    BAD_SIGNATURE,
    WRONG_TYPE,
    NOT_YET_VALID,
    EXPIRED,
    WRONG_SYSTEM,
    WRONG_INSTANCE,
    CLOCK_ROLLED_BACK;

    public String code() {
        return name().toLowerCase();
    }
}
