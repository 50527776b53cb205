package io.overcast.controlplane.error;

/**
 * A request that cannot be served, with the HTTP status and a stable machine code the caller can branch on.
 * {@link ApiExceptionMapper} turns it into {@code {"error": {"code", "message"}}}.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** 400: the request is malformed or invalid. */
    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    /** 401: the caller is not who it must be (bad credentials, token). */
    public static ApiException unauthorized(String code, String message) {
        return new ApiException(401, code, message);
    }

    /** 403: the caller is known, in scope, but its role does not allow this. */
    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    /** 404: absent, or outside the caller's scope; the two are never told apart. */
    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    /** 409: conflicts with the current state. */
    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }
}
