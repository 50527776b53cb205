package io.overcast.controlplane.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.error.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * POST /api/v1/billing/stripe/webhook. The Stripe-Signature header is verified over the raw body with the
 * endpoint's secret (stripe-java's {@link Webhook}, which also refuses a stale timestamp). Each event is recorded
 * by id in the transaction that applies it: a redelivery is answered 200 and changes nothing, and a failure rolls
 * back both, so Stripe's retry applies it whole.
 */
@Path("/api/v1/billing/stripe/webhook")
public class StripeWebhookResource {
    private static final Logger LOG = Logger.getLogger(StripeWebhookResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Outcome(String id, String outcome) {}

    private final OvercastConfig config;
    private final Pool pool;
    private final Fulfilment fulfilment;

    StripeWebhookResource(OvercastConfig config, Pool pool, Fulfilment fulfilment) {
        this.config = config;
        this.pool = pool;
        this.fulfilment = fulfilment;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    public Uni<Outcome> receive(
            String body, @HeaderParam("Stripe-Signature") String signature, @Context HttpServerRequest request) {
        String secret = config.stripe()
                .webhookSecret()
                .orElseThrow(() -> ApiException.conflict(
                        "billing_disabled", "no webhook secret is configured (OVERCAST_STRIPE_WEBHOOK_SECRET)"));
        if (signature == null || signature.isBlank() || body == null) {
            throw ApiException.badRequest("bad_signature", "the Stripe-Signature header is missing");
        }
        try {
            Webhook.Signature.verifyHeader(
                    body, signature, secret, config.stripe().webhookTolerance().toSeconds());
        } catch (SignatureVerificationException e) {
            throw ApiException.badRequest("bad_signature", "the signature does not verify or is too old");
        }
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_event", "the body is not a Stripe event");
        }
        String id = Fulfilment.text(event, "id");
        String type = Fulfilment.text(event, "type");
        JsonNode object = event.path("data").path("object");
        if (id == null || type == null || !object.isObject()) {
            throw ApiException.badRequest("invalid_event", "the event needs an id, a type and data.object");
        }
        Instant created = Instant.ofEpochSecond(event.path("created").asLong(0));
        String ip =
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO stripe_events (id, type, created, outcome)"
                                + " VALUES ($1, $2, $3, 'processing') ON CONFLICT DO NOTHING RETURNING id")
                        .execute(Tuple.of(id, type, created.atOffset(ZoneOffset.UTC)))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                return Uni.createFrom().item("duplicate");
                            }
                            return fulfilment.apply(conn, type, object, id, ip).call(outcome -> conn.preparedQuery(
                                            "UPDATE stripe_events SET outcome = $2 WHERE id = $1")
                                    .execute(Tuple.of(id, outcome)));
                        }))
                .invoke(outcome -> LOG.infof("stripe event %s (%s): %s", id, type, outcome))
                .map(outcome -> new Outcome(id, outcome));
    }
}
