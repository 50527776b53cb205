package io.overcast.controlplane.billing;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import io.overcast.controlplane.config.OvercastConfig;
import io.overcast.controlplane.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * The Stripe calls Overcast makes, through stripe-java's {@link StripeClient} (blocking: callers run them off the
 * event loop). Every call that creates something carries an idempotency key derived from our own record, so a
 * retry after a timeout or a crash finds the object Stripe already made instead of making a second one.
 */
@ApplicationScoped
public class StripeGateway {
    private final OvercastConfig config;
    private final StripeClient client;

    StripeGateway(OvercastConfig config) {
        this.config = config;
        this.client = config.stripe()
                .apiKey()
                .map(key -> {
                    var b = StripeClient.builder().setApiKey(key).setMaxNetworkRetries(2);
                    config.stripe().apiBase().ifPresent(b::setApiBase);
                    return b.build();
                })
                .orElse(null);
    }

    public boolean enabled() {
        return client != null;
    }

    private StripeClient client() {
        if (client == null) {
            throw ApiException.conflict(
                    "billing_disabled", "billing is off on this deployment: licenses are issued by its operator");
        }
        return client;
    }

    /** The organization's customer, created once (the idempotency key is the organization's id). */
    public String createCustomer(UUID orgId, String name) throws StripeException {
        return client().v1()
                .customers()
                .create(
                        CustomerCreateParams.builder()
                                .setName(name)
                                .putMetadata("overcast_org", orgId.toString())
                                .build(),
                        RequestOptions.builder()
                                .setIdempotencyKey("ovc-customer-" + orgId)
                                .build())
                .getId();
    }

    public record Checkout(String sessionId, String url) {}

    /**
     * A Checkout Session for a purchase: payment mode for a permanent license, subscription mode for
     * subscriptions, seat pools and metered daily use (a metered price takes no quantity). The purchase id rides
     * in client_reference_id and in the metadata of the session, the subscription and the payment, so every later
     * event names it.
     */
    public Checkout createCheckout(
            UUID purchaseId,
            String customer,
            String mode,
            String price,
            boolean metered,
            long quantity,
            UUID tenantId,
            String planId)
            throws StripeException {
        String back = config.stripe().returnUrl();
        var b = SessionCreateParams.builder()
                .setMode(
                        "payment".equals(mode)
                                ? SessionCreateParams.Mode.PAYMENT
                                : SessionCreateParams.Mode.SUBSCRIPTION)
                .setCustomer(customer)
                .setClientReferenceId(purchaseId.toString())
                .setSuccessUrl(back + "#/t/" + tenantId + "/billing?checkout=success")
                .setCancelUrl(back + "#/t/" + tenantId + "/billing?checkout=cancelled")
                .putMetadata("purchase", purchaseId.toString())
                .putMetadata("tenant", tenantId.toString())
                .putMetadata("plan", planId);
        var item = SessionCreateParams.LineItem.builder().setPrice(price);
        if (!metered) {
            item.setQuantity(quantity);
        }
        b.addLineItem(item.build());
        if ("payment".equals(mode)) {
            b.setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                    .putMetadata("purchase", purchaseId.toString())
                    .build());
        } else {
            b.setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                    .putMetadata("purchase", purchaseId.toString())
                    .build());
        }
        Session s = client().v1()
                .checkout()
                .sessions()
                .create(
                        b.build(),
                        RequestOptions.builder()
                                .setIdempotencyKey("ovc-checkout-" + purchaseId)
                                .build());
        return new Checkout(s.getId(), s.getUrl());
    }

    /** One consumed day, as a Billing meter event named by the usage day's identifier (Stripe keeps one). */
    public void sendMeterEvent(String identifier, String eventName, String customer, Instant at)
            throws StripeException {
        client().v1()
                .billing()
                .meterEvents()
                .create(
                        MeterEventCreateParams.builder()
                                .setEventName(eventName)
                                .setIdentifier(identifier)
                                .setTimestamp(at.getEpochSecond())
                                .putPayload("stripe_customer_id", customer)
                                .putPayload("value", "1")
                                .build(),
                        RequestOptions.builder().setIdempotencyKey(identifier).build());
    }
}
