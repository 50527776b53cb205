package io.overcast.controlplane.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every error family to the one error body: {@code {"error": {"code": ..., "message": ...}}}. */
public class ApiExceptionMapper {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    public static Response body(int status, String code, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("code", code, "message", message)))
                .build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return body(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return body(400, "request_malformed", "the request body is not valid JSON for this call");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code =
                switch (status) {
                    case 400 -> "request_malformed";
                    case 401 -> "unauthenticated";
                    case 403 -> "forbidden";
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    case 413 -> "request_too_large";
                    case 415 -> "unsupported_media_type";
                    default -> "http_" + status;
                };
        return body(status, code, e.getMessage() == null ? code : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e instanceof ApiException api) {
            return api(api);
        }
        LOG.error("unexpected error", e);
        return body(500, "internal_error", "the server failed; the error is logged");
    }
}
