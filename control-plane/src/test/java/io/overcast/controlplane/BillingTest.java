package io.overcast.controlplane;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.net.Webhook;
import io.overcast.controlplane.billing.MeterOutbox;
import io.overcast.controlplane.licensing.LeaseService;
import io.overcast.fakestripe.FakeStripe;
import io.overcast.licensing.UsageDay;
import io.overcast.protocol.Payloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Purchases through Stripe (stripe-java against {@link FakeStripe}), webhooks signed with Stripe's algorithm
 * through the real endpoint, leases with their usage records, the meter-event outbox, and pooled seats under a
 * race — all on PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(SmtpResource.class)
@QuarkusTestResource(FakeStripeResource.class)
class BillingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    @Inject
    LeaseService leases;

    @Inject
    MeterOutbox outbox;

    private String owner;
    private UUID tenant;

    @BeforeEach
    void setUp() {
        owner = Api.owner();
        tenant = Api.tenant(owner, "billing");
        FakeStripeResource.stripe.reset();
    }

    private String checkoutUrl() {
        return "/api/v1/tenants/" + tenant + "/billing/checkout";
    }

    private UUID checkout(String plan, int quantity, String systemId) {
        var body = new java.util.HashMap<String, Object>(Map.of("planId", plan, "quantity", quantity));
        if (systemId != null) {
            body.put("systemId", systemId);
        }
        return UUID.fromString(Api.as(owner)
                .body(body)
                .post(checkoutUrl())
                .then()
                .statusCode(201)
                .body("url", startsWith(FakeStripeResource.stripe.base() + "/c/pay/cs_test_"))
                .extract()
                .path("purchaseId"));
    }

    /** Posts an event signed as Stripe signs it: HMAC-SHA256 over "timestamp.body" with the endpoint secret. */
    static ValidatableResponse deliver(String id, String type, Map<String, Object> object, long timestamp)
            throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "id",
                id,
                "object",
                "event",
                "api_version",
                com.stripe.Stripe.API_VERSION,
                "created",
                timestamp,
                "type",
                type,
                "livemode",
                false,
                "data",
                Map.of("object", object)));
        String signature = Webhook.Util.computeHmacSha256(FakeStripeResource.WEBHOOK_SECRET, timestamp + "." + body);
        return RestAssured.given()
                .contentType("application/json; charset=utf-8")
                .header("Stripe-Signature", "t=" + timestamp + ",v1=" + signature)
                .body(body)
                .post("/api/v1/billing/stripe/webhook")
                .then();
    }

    static ValidatableResponse deliver(String type, Map<String, Object> object) throws Exception {
        return deliver("evt_" + UUID.randomUUID(), type, object, now());
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static Map<String, Object> session(UUID purchase, String paymentStatus, String subscription, String intent) {
        var s = new java.util.HashMap<String, Object>();
        s.put("id", "cs_test_" + purchase);
        s.put("object", "checkout.session");
        s.put("client_reference_id", purchase.toString());
        s.put("payment_status", paymentStatus);
        s.put("subscription", subscription);
        s.put("payment_intent", intent);
        s.put("metadata", Map.of("purchase", purchase.toString()));
        return s;
    }

    private List<Row> licensesOf(UUID purchase) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery("SELECT * FROM licenses WHERE purchase_id = $1")
                .execute(Tuple.of(purchase))
                .await()
                .indefinitely()
                .forEach(out::add);
        return out;
    }

    private String purchaseStatus(UUID purchase) {
        return pool.preparedQuery("SELECT status FROM purchases WHERE id = $1")
                .execute(Tuple.of(purchase))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString("status");
    }

    private long count(String sql, Object... params) {
        return pool.preparedQuery(sql)
                .execute(Tuple.from(params))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }

    private String orgCustomer() {
        return pool.preparedQuery("SELECT o.stripe_customer FROM organizations o JOIN tenants t ON t.org_id = o.id"
                        + " WHERE t.id = $1")
                .execute(Tuple.of(tenant))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString(0);
    }

    private UUID instance(String system) {
        UUID id = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO instances (id, tenant_id, name, product, system_id, status) VALUES ($1, $2,"
                        + " $3, 'ntopng', $3, 'ONLINE')")
                .execute(Tuple.of(id, tenant, system))
                .await()
                .indefinitely();
        return id;
    }

    private Payloads.Grant grant(UUID instance, String product, String edition) {
        return leases.grant(instance, tenant, List.of(new Payloads.Want(product, edition)))
                .await()
                .indefinitely()
                .grants()
                .get(0);
    }

    @Test
    void aCheckoutMakesTheOrganizationsCustomerOnceAndSendsWhatStripeNeeds() {
        UUID first = checkout("ntopng-em-yearly", 3, null);
        UUID second = checkout("agent-pool-50", 25, null);
        var stripe = FakeStripeResource.stripe;
        // The organization's customer is made at its first checkout (perhaps an earlier test's), never again.
        var customers = stripe.requests("/v1/customers");
        assertTrue(customers.size() <= 1, "one customer per organization");
        customers.forEach(c -> assertTrue(c.idempotencyKey().startsWith("ovc-customer-")));
        var sessions = stripe.requests("/v1/checkout/sessions");
        assertEquals(2, sessions.size());
        var s = sessions.get(0).form();
        assertEquals("ovc-checkout-" + first, sessions.get(0).idempotencyKey());
        assertEquals("subscription", s.get("mode"));
        assertEquals("price_demo_ntopng_em_year", s.get("line_items[0][price]"));
        assertEquals("3", s.get("line_items[0][quantity]"));
        assertEquals(first.toString(), s.get("client_reference_id"));
        assertEquals(first.toString(), s.get("subscription_data[metadata][purchase]"));
        assertEquals(tenant.toString(), s.get("metadata[tenant]"));
        assertTrue(s.get("customer").startsWith("cus_test"));
        assertEquals(s.get("customer"), orgCustomer());
        assertEquals(s.get("customer"), sessions.get(1).form().get("customer"), "the same customer pays again");
        assertEquals("25", sessions.get(1).form().get("line_items[0][quantity]"));
        assertEquals("ovc-checkout-" + second, sessions.get(1).idempotencyKey());

        // Metered daily use: no quantity on the line; a permanent license is a one-off payment.
        checkout("ntopng-el-daily", 1, null);
        var daily = stripe.requests("/v1/checkout/sessions").get(2).form();
        assertEquals("subscription", daily.get("mode"));
        assertNull(daily.get("line_items[0][quantity]"));
        checkout("ntopng-pro-permanent", 1, "box-7");
        var permanent = stripe.requests("/v1/checkout/sessions").get(3).form();
        assertEquals("payment", permanent.get("mode"));
        assertNotNull(permanent.get("payment_intent_data[metadata][purchase]"));

        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/billing/purchases")
                .then()
                .statusCode(200)
                .body("size()", equalTo(4))
                .body("[3].status", equalTo("OPEN"));
    }

    @Test
    void checkoutsTheCallerMayNotMakeAreRefusedAndChangeNothing() {
        long before = count("SELECT count(*) FROM purchases");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "no-such-plan"))
                        .post(checkoutUrl())
                        .then(),
                400,
                "invalid_plan");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "ntopng-em-yearly", "quantity", 0))
                        .post(checkoutUrl())
                        .then(),
                400,
                "invalid_quantity");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "ntopng-pro-permanent"))
                        .post(checkoutUrl())
                        .then(),
                400,
                "invalid_system_id");
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "ntopng-el-daily", "quantity", 5))
                        .post(checkoutUrl())
                        .then(),
                400,
                "invalid_quantity");
        String viewer = Api.user(owner, null, "VIEWER");
        Api.as(viewer)
                .body(Map.of("planId", "ntopng-em-yearly"))
                .post(checkoutUrl())
                .then()
                .statusCode(403);
        // A tenant's own administrator does not spend the MSP's money.
        String tenantAdmin = Api.user(owner, tenant, "ADMIN");
        Api.as(tenantAdmin)
                .body(Map.of("planId", "ntopng-em-yearly"))
                .post(checkoutUrl())
                .then()
                .statusCode(403);
        // Another organization's tenant does not exist for this caller.
        Api.as(owner)
                .body(Map.of("planId", "ntopng-em-yearly"))
                .post("/api/v1/tenants/" + UUID.randomUUID() + "/billing/checkout")
                .then()
                .statusCode(404);
        assertEquals(before, count("SELECT count(*) FROM purchases"));
        assertEquals(
                0, FakeStripeResource.stripe.requests("/v1/checkout/sessions").size());
    }

    @Test
    void aCheckoutStripeRefusesIsReportedAndMarkedFailed() {
        FakeStripeResource.stripe.failNext(10); // more than stripe-java's retries
        Api.error(
                Api.as(owner)
                        .body(Map.of("planId", "ntopng-em-yearly"))
                        .post(checkoutUrl())
                        .then(),
                502,
                "stripe_unavailable");
        assertEquals(1, count("SELECT count(*) FROM purchases WHERE tenant_id = $1 AND status = 'FAILED'", tenant));
    }

    @Test
    void aPaidCheckoutIssuesItsLicensesOnceHoweverOftenItIsDelivered() throws Exception {
        UUID purchase = checkout("ntopng-em-yearly", 3, null);
        String id = "evt_" + UUID.randomUUID();
        var completed = session(purchase, "paid", "sub_" + purchase, null);
        deliver(id, "checkout.session.completed", completed, now())
                .statusCode(200)
                .body("outcome", equalTo("fulfilled:3"));
        deliver(id, "checkout.session.completed", completed, now())
                .statusCode(200)
                .body("outcome", equalTo("duplicate"));
        // The same fact in another event (Stripe may send both) changes nothing either.
        deliver("checkout.session.async_payment_succeeded", completed)
                .statusCode(200)
                .body("outcome", equalTo("already_fulfilled"));
        List<Row> issued = licensesOf(purchase);
        assertEquals(3, issued.size());
        for (Row l : issued) {
            assertEquals("SUBSCRIPTION", l.getString("kind"));
            assertEquals("STRIPE", l.getString("source"));
            assertEquals("ACTIVE", l.getString("status"));
        }
        assertEquals("FULFILLED", purchaseStatus(purchase));
        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/licenses")
                .then()
                .statusCode(200)
                .body("size()", equalTo(3));
    }

    @Test
    void aPaidRenewalInvoiceExtendsTheSubscriptionAndAnOldOneDoesNotShortenIt() throws Exception {
        UUID purchase = checkout("ntap-monthly", 1, null);
        String sub = "sub_" + UUID.randomUUID();
        deliver("checkout.session.completed", session(purchase, "paid", sub, null))
                .statusCode(200)
                .body("outcome", equalTo("fulfilled:1"));
        long nextPeriodEnd = now() + 60L * 86400;
        Map<String, Object> invoice = Map.of(
                "id",
                "in_1",
                "object",
                "invoice",
                "subscription",
                sub,
                "lines",
                Map.of("data", List.of(Map.of("period", Map.of("start", now(), "end", nextPeriodEnd)))));
        deliver("invoice.paid", invoice).statusCode(200).body("outcome", equalTo("renewed:1"));
        Row l = licensesOf(purchase).get(0);
        assertEquals(nextPeriodEnd, l.getOffsetDateTime("expires_at").toEpochSecond());
        // The document an edge receives carries the new end, signed.
        var claims = new io.overcast.licensing.Verifier(java.util.Map.of(
                        "ovc-lic-1",
                        io.overcast.licensing.Keys.decode(RestAssured.get("/api/v1/licensing/keys")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("[0].publicKey"))))
                .license(l.getString("document"), null, java.time.Instant.now());
        assertTrue(claims.valid(), claims.toString());
        assertEquals(
                nextPeriodEnd,
                ((io.overcast.licensing.Verification.Valid<io.overcast.licensing.License>) claims)
                        .claims()
                        .expiresAt()
                        .getEpochSecond());
        // The invoice of the first period, delivered late, does not move the end back.
        Map<String, Object> old = Map.of(
                "id",
                "in_0",
                "object",
                "invoice",
                "subscription",
                sub,
                "lines",
                Map.of("data", List.of(Map.of("period", Map.of("start", now(), "end", now() + 86400)))));
        deliver("invoice.paid", old).statusCode(200).body("outcome", equalTo("renewed:0"));
        assertEquals(
                nextPeriodEnd,
                licensesOf(purchase).get(0).getOffsetDateTime("expires_at").toEpochSecond());
    }

    @Test
    void aBadOrStaleSignatureIsRefusedAndChangesNothing() throws Exception {
        UUID purchase = checkout("ntopng-em-yearly", 1, null);
        String body = JSON.writeValueAsString(Map.of(
                "id",
                "evt_forged",
                "type",
                "checkout.session.completed",
                "created",
                now(),
                "data",
                Map.of("object", session(purchase, "paid", "sub_x", null))));
        long t = now();
        String wrong = Webhook.Util.computeHmacSha256("whsec_not_ours", t + "." + body);
        Api.error(
                RestAssured.given()
                        .contentType("application/json")
                        .header("Stripe-Signature", "t=" + t + ",v1=" + wrong)
                        .body(body)
                        .post("/api/v1/billing/stripe/webhook")
                        .then(),
                400,
                "bad_signature");
        // Signed right, but ten minutes old: a replay.
        deliver("evt_stale", "checkout.session.completed", session(purchase, "paid", "sub_x", null), now() - 600)
                .statusCode(400)
                .body("error.code", equalTo("bad_signature"));
        Api.error(
                RestAssured.given()
                        .contentType("application/json")
                        .body(body)
                        .post("/api/v1/billing/stripe/webhook")
                        .then(),
                400,
                "bad_signature");
        assertEquals(0, licensesOf(purchase).size());
        assertEquals("OPEN", purchaseStatus(purchase));
        assertEquals(0, count("SELECT count(*) FROM stripe_events WHERE id IN ('evt_forged', 'evt_stale')"));
    }

    @Test
    void endingsApplyWhicheverOrderStripeSendsThemIn() throws Exception {
        // A refund that arrives before the checkout it refunds: nothing is issued when the checkout arrives.
        UUID permanent = checkout("ntopng-pro-permanent", 1, "box-9");
        String intent = "pi_" + UUID.randomUUID();
        deliver("charge.refunded", Map.of("id", "ch_1", "object", "charge", "payment_intent", intent))
                .statusCode(200)
                .body("outcome", equalTo("ending_remembered"));
        deliver("checkout.session.completed", session(permanent, "paid", null, intent))
                .statusCode(200)
                .body("outcome", equalTo("ended_before_fulfilment"));
        assertEquals(0, licensesOf(permanent).size());
        assertEquals("ENDED", purchaseStatus(permanent));

        // A cancelled subscription ends its licenses and gives the pool's seats back at once.
        UUID pool50 = checkout("agent-pool-50", 5, null);
        String sub = "sub_" + UUID.randomUUID();
        deliver("checkout.session.completed", session(pool50, "paid", sub, null))
                .statusCode(200)
                .body("outcome", equalTo("fulfilled:1"));
        assertEquals(5, licensesOf(pool50).get(0).getInteger("seats"));
        UUID agent = instance("agent-host-1");
        assertNotNull(grant(agent, "agent", "standard").document());
        deliver(
                        "customer.subscription.deleted",
                        Map.of("id", sub, "object", "subscription", "metadata", Map.of("purchase", pool50.toString())))
                .statusCode(200)
                .body("outcome", equalTo("ended:1"));
        assertEquals("ENDED", licensesOf(pool50).get(0).getString("status"));
        assertEquals(0, count("SELECT count(*) FROM leases WHERE instance_id = $1 AND released_at IS NULL", agent));
        assertEquals("not_licensed", grant(agent, "agent", "standard").problem().code());
    }

    @Test
    void anAsyncPaymentIssuesOnlyOnceItSucceeds() throws Exception {
        UUID purchase = checkout("ntap-monthly", 1, null);
        deliver("checkout.session.completed", session(purchase, "unpaid", "sub_" + purchase, null))
                .statusCode(200)
                .body("outcome", equalTo("awaiting_payment"));
        assertEquals("AWAITING_PAYMENT", purchaseStatus(purchase));
        assertEquals(0, licensesOf(purchase).size());
        deliver("checkout.session.async_payment_succeeded", session(purchase, "paid", "sub_" + purchase, null))
                .statusCode(200)
                .body("outcome", equalTo("fulfilled:1"));
        UUID failed = checkout("ntap-monthly", 1, null);
        deliver("checkout.session.completed", session(failed, "unpaid", "sub_" + failed, null))
                .statusCode(200);
        deliver("checkout.session.async_payment_failed", session(failed, "unpaid", "sub_" + failed, null))
                .statusCode(200);
        assertEquals("FAILED", purchaseStatus(failed));
        assertEquals(0, licensesOf(failed).size());
    }

    @Test
    void dailyUseIsRecordedOncePerDayAndReachesStripeExactlyOnce() throws Exception {
        UUID purchase = checkout("ntopng-el-daily", 1, null);
        deliver("checkout.session.completed", session(purchase, "paid", "sub_" + purchase, null))
                .statusCode(200)
                .body("outcome", equalTo("fulfilled:1"));
        UUID license = licensesOf(purchase).get(0).getUUID("id");
        List<UUID> boxes = List.of(instance("site-a"), instance("site-b"), instance("site-c"));
        for (UUID box : boxes) {
            Payloads.Grant g = grant(box, "ntopng", "enterprise_l");
            assertEquals("DAILY", g.kind());
            assertNotNull(g.document());
            // Renewed the same day: the day is not consumed again.
            assertNotNull(grant(box, "ntopng", "enterprise_l").document());
        }
        assertEquals(3, count("SELECT count(*) FROM usage_days WHERE license_id = $1", license));
        assertEquals(
                3,
                count(
                        "SELECT count(*) FROM meter_outbox o JOIN usage_days u USING (identifier) WHERE"
                                + " u.license_id = $1",
                        license));

        var stripe = FakeStripeResource.stripe;
        stripe.failNext(1000); // Stripe is down, past stripe-java's own retries
        assertEquals(0, outbox.flush());
        assertEquals(0, stripe.meterEvents().size());
        assertEquals(
                3,
                count(
                        "SELECT count(*) FROM meter_outbox o JOIN usage_days u USING (identifier) WHERE"
                                + " u.license_id = $1 AND o.sent_at IS NULL AND o.last_error IS NOT NULL",
                        license));
        stripe.failNext(0);
        // Not due yet (backoff); then time passes and they are.
        assertEquals(0, outbox.flush());
        pool.query("UPDATE meter_outbox SET next_attempt_at = now() WHERE sent_at IS NULL")
                .execute()
                .await()
                .indefinitely();
        outbox.flush();
        // A crash after Stripe accepted an event but before it was marked sent: it is sent again, billed once.
        pool.query("UPDATE meter_outbox SET sent_at = NULL WHERE identifier IN (SELECT identifier FROM meter_outbox"
                        + " LIMIT 1)")
                .execute()
                .await()
                .indefinitely();
        outbox.flush();
        assertEquals(3, stripe.meterEvents().size());
        String customer = orgCustomer();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (UUID box : boxes) {
            String identifier = new UsageDay(license, box, "ntopng", "enterprise_l", today).identifier();
            var e = stripe.meterEvents().get(identifier);
            assertNotNull(e, "a meter event for " + box);
            assertEquals("ovc_ntopng_enterprise_l_days", e.get("event_name"));
            assertEquals("1", e.get("payload[value]"));
            assertEquals(customer, e.get("payload[stripe_customer_id]"));
            for (var r : stripe.requests("/v1/billing/meter_events")) {
                if (identifier.equals(r.form().get("identifier"))) {
                    assertEquals(identifier, r.idempotencyKey());
                }
            }
        }
        assertEquals(0, count("SELECT count(*) FROM meter_outbox WHERE sent_at IS NULL"));

        Api.as(owner)
                .get("/api/v1/tenants/" + tenant + "/usage")
                .then()
                .statusCode(200)
                .body("total", equalTo(3))
                .body("days[0].product", equalTo("ntopng"))
                .body("days[0].edition", equalTo("enterprise_l"))
                .body("days[0].instances", equalTo(3));
        Api.error(
                Api.as(owner)
                        .queryParam("from", "2026-13-01")
                        .get("/api/v1/tenants/" + tenant + "/usage")
                        .then(),
                400,
                "invalid_range");
    }

    @Test
    void whenManyInstancesRaceForAPoolExactlyItsSeatsAreGranted() throws Exception {
        UUID license = UUID.fromString(Api.as(owner)
                .body(Map.of("planId", "agent-pool-50", "seats", 5))
                .post("/api/v1/tenants/" + tenant + "/licenses")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
        List<UUID> agents = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            agents.add(instance("agent-" + i));
        }
        var start = new CountDownLatch(1);
        var threads = Executors.newFixedThreadPool(20);
        List<CompletableFuture<Payloads.Grant>> racing = new ArrayList<>();
        for (UUID a : agents) {
            racing.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return grant(a, "agent", "standard");
                    },
                    threads));
        }
        start.countDown();
        List<UUID> holders = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            Payloads.Grant g = racing.get(i).join();
            if (g.document() != null) {
                holders.add(agents.get(i));
            } else {
                assertEquals("no_seats", g.problem().code());
            }
        }
        threads.shutdown();
        assertEquals(5, holders.size());
        assertEquals(
                5,
                count(
                        "SELECT count(DISTINCT instance_id) FROM leases WHERE license_id = $1 AND released_at"
                                + " IS NULL",
                        license));
        // A holder that stops wanting the product gives its seat back; a waiting one gets it.
        leases.grant(holders.get(0), tenant, List.of()).await().indefinitely();
        UUID waiting =
                agents.stream().filter(a -> !holders.contains(a)).findFirst().orElseThrow();
        assertNotNull(grant(waiting, "agent", "standard").document());
        assertEquals(
                "no_seats", grant(holders.get(0), "agent", "standard").problem().code());
    }
}
