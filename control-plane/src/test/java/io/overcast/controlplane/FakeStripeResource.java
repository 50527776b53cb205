package io.overcast.controlplane;

import io.overcast.fakestripe.FakeStripe;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Billing on, against {@link FakeStripe} on a loopback port, with a webhook secret the tests sign with. */
public class FakeStripeResource implements QuarkusTestResourceLifecycleManager {
    public static final String WEBHOOK_SECRET = "whsec_overcast_test_secret";
    public static FakeStripe stripe;

    @Override
    public Map<String, String> start() {
        try {
            stripe = new FakeStripe();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "overcast.stripe.api-key",
                FakeStripe.API_KEY,
                "overcast.stripe.api-base",
                stripe.base(),
                "overcast.stripe.webhook-secret",
                WEBHOOK_SECRET,
                // The tests flush the outbox themselves.
                "overcast.stripe.meter-flush-every",
                "1h");
    }

    @Override
    public void stop() {
        if (stripe != null) {
            stripe.close();
        }
    }
}
