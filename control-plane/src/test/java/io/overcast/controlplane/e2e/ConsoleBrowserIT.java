package io.overcast.controlplane.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's headless Chromium against the packaged control plane on PostgreSQL and a real edge
 * connector process started with the command the console shows: sign in, create a tenant and a token, watch the
 * edge come ONLINE and go OFFLINE (with its alert) without a reload, revoke it, then sign in as a viewer and find
 * no write controls. Every step saves a screenshot under target/console-screenshots; any error in the browser's
 * console fails the test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final String DB = "overcast_console_e2e";
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static Processes.Proc controlPlane;
    private static ApiClient api;
    private static int port;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static Process edge;
    private static String tenantId;
    private static int shot;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        Processes.dropDatabase(DB);
        port = Processes.freePort();
        stripe = new io.overcast.fakestripe.FakeStripe();
        var env = Processes.controlPlaneEnv(DB, port, 2525);
        env.put("OVERCAST_STRIPE_API_KEY", io.overcast.fakestripe.FakeStripe.API_KEY);
        env.put("OVERCAST_STRIPE_API_BASE", stripe.base());
        env.put("OVERCAST_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.put("OVERCAST_STRIPE_RETURN_URL", base());
        controlPlane = Processes.controlPlane("console-control-plane", env);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertTrue(controlPlane.process.isAlive(), controlPlane.output());
            return ApiClient.healthy(port, DB);
        });
        api = new ApiClient(DB, port).login("admin@example.test", "an e2e password");
        Files.createDirectories(SHOTS);
        try (var old = Files.newDirectoryStream(SHOTS, "*.png")) {
            for (Path p : old) {
                Files.delete(p); // screenshots of an earlier run would mix with this one's
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        options.setAcceptInsecureCerts(true); // the deployment CA is private to this test
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    private static final String WEBHOOK_SECRET = "whsec_console_test";
    private static io.overcast.fakestripe.FakeStripe stripe;
    private static final List<Processes.Proc> licensedEdges = new ArrayList<>();

    @AfterAll
    static void stop() throws Exception {
        for (Processes.Proc p : licensedEdges) {
            p.close();
        }
        if (stripe != null) {
            stripe.close();
        }
        if (edge != null) {
            edge.descendants().forEach(ProcessHandle::destroyForcibly);
            edge.destroyForcibly();
        }
        if (browser != null) {
            browser.quit();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    /** Any error in the browser console fails the step that caused it. */
    @AfterEach
    void noBrowserErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(e.getMessage());
            }
        }
        assertEquals(List.of(), errors, "errors in the browser console");
    }

    private static void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(String.format("%02d-%s.png", ++shot, name)), png);
    }

    private static String base() {
        return "https://127.0.0.1:" + port + "/";
    }

    private static WebElement find(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private static void click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    private static void clickText(String tag, String text) {
        wait.until(ExpectedConditions.elementToBeClickable(
                        By.xpath("//" + tag + "[normalize-space(.)='" + text + "']")))
                .click();
    }

    private static void signIn(String email, String password) {
        find("input[name=email]").sendKeys(email);
        find("input[name=password]").sendKeys(password);
        clickText("button", "Sign in");
        find("[data-test=sign-out]");
    }

    /** A marker that only survives while the page is not reloaded. */
    private static void markPage() {
        ((JavascriptExecutor) browser).executeScript("window.__overcastNoReload = true;");
    }

    private static boolean notReloaded() {
        return Boolean.TRUE.equals(
                ((JavascriptExecutor) browser).executeScript("return window.__overcastNoReload === true;"));
    }

    /** The first row's status, or null while there is none (or the table is being redrawn). */
    private static String instanceStatus() {
        try {
            List<WebElement> badges = browser.findElements(By.cssSelector("table[data-test=instances] [data-status]"));
            return badges.isEmpty() ? null : badges.get(0).getAttribute("data-status");
        } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
            return null;
        }
    }

    @Test
    @Order(1)
    void signInAndCreateATenant() throws Exception {
        browser.get(base());
        find("input[name=email]");
        assertTrue(browser.getCurrentUrl().contains("#/login"), browser.getCurrentUrl());
        screenshot("sign-in");
        signIn("admin@example.test", "an e2e password");
        find(".cards");
        screenshot("overview-empty");
        find("input[name=tenant-name]").sendKeys("Globex");
        clickText("button", "Create tenant");
        WebElement row = find("[data-test=tenant-row]");
        assertTrue(row.getText().contains("Globex"), row.getText());
        screenshot("tenant-created");
        click("button[aria-label='Switch light or dark theme']");
        screenshot("tenant-created-other-theme");
        click("button[aria-label='Switch light or dark theme']");
        // the session survives a reload
        browser.navigate().refresh();
        find("[data-test=tenant-row]");
        tenantId = api.get("/api/v1/tenants").get(0).get("id").asText();
    }

    @Test
    @Order(2)
    void createATokenAndEnrolAnEdgeWithTheCopiedCommand() throws Exception {
        click("[data-test=tenant-row] a");
        find("[data-test=empty]");
        screenshot("instances-empty");
        clickText("a", "Enrolment");
        find("input[name=token-name]").sendKeys("Site A");
        clickText("button", "Create token");
        String commands = find("[data-test=commands]").getText();
        assertTrue(commands.contains("--token oct1."), commands);
        find("[data-test=token-row]");
        screenshot("token-created");

        Path dir = Files.createTempDirectory("console-edge");
        Files.createSymbolicLink(
                dir.resolve("edge-connector.jar"),
                Path.of(System.getProperty("overcast.edgeJar")).toAbsolutePath());
        // the command exactly as the console shows it (its line continuation included)
        edge = new ProcessBuilder("sh", "-c", commands)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Processes.LOGS.resolve("console-edge.log").toFile())
                .start();

        clickText("a", "Instances");
        markPage();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertTrue(edge.isAlive(), Files.readString(Processes.LOGS.resolve("console-edge.log")));
            return "ONLINE".equals(instanceStatus());
        });
        assertTrue(notReloaded(), "the instance appeared without a reload");
        screenshot("edge-online");
    }

    @Test
    @Order(3)
    void aKilledEdgeTurnsOfflineLiveWithItsAlert() throws Exception {
        markPage();
        long killed = System.nanoTime();
        edge.descendants().forEach(ProcessHandle::destroyForcibly);
        edge.destroyForcibly();
        edge.waitFor(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> "OFFLINE".equals(instanceStatus()));
        assertTrue(notReloaded(), "the status changed without a reload");
        System.out.printf(
                "console: OFFLINE shown %d ms after the kill%n",
                Processes.since(killed).toMillis());
        screenshot("edge-offline");
        clickText("a", "Alerts");
        WebElement alert = find("[data-test=alert-row][data-kind=OFFLINE]");
        assertTrue(alert.getText().toLowerCase().contains("offline"), alert.getText());
        screenshot("offline-alert");
    }

    @Test
    @Order(4)
    void revokeTheInstanceAfterConfirming() throws Exception {
        clickText("a", "Instances");
        click("table[data-test=instances] tbody a");
        find("[data-test=instance-name]");
        click("[data-test=revoke]");
        find("dialog[open]");
        screenshot("revoke-confirm");
        click("dialog [data-test=confirm]");
        wait.until(d -> d.findElements(By.cssSelector("[data-test=instance-name] [data-status=REVOKED]"))
                        .size()
                == 1);
        screenshot("revoked");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1024, 700));
        find("[data-test=instance-name]");
        screenshot("revoked-laptop-width");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        JsonNode list = api.get("/api/v1/tenants/" + tenantId + "/instances");
        assertEquals("REVOKED", list.get("items").get(0).get("status").asText());
    }

    @Test
    @Order(5)
    void aViewerSeesNoWriteControls() throws Exception {
        clickText("a", "Users");
        find("[data-test=new-user] input[type=email]").sendKeys("viewer@example.test");
        find("[data-test=new-user] input[type=password]").sendKeys("a viewer password");
        new org.openqa.selenium.support.ui.Select(find("[data-test=new-user] label:nth-of-type(3) select"))
                .selectByValue("VIEWER");
        new org.openqa.selenium.support.ui.Select(find("[data-test=new-user] label:nth-of-type(4) select"))
                .selectByValue(tenantId);
        clickText("button", "Create user");
        wait.until(d -> d.findElement(By.cssSelector("table[data-test=users]"))
                .getText()
                .contains("viewer@example.test"));
        screenshot("viewer-created");
        click("[data-test=sign-out]");
        signIn("viewer@example.test", "a viewer password");
        find("table[data-test=instances]");
        screenshot("viewer-instances");
        assertTrue(
                browser.findElement(By.cssSelector("[data-test=me]")).getText().contains("viewer"));
        click("table[data-test=instances] tbody a");
        find("[data-test=instance-name]");
        for (String control : List.of("rename", "tags", "revoke", "decommission")) {
            assertTrue(
                    browser.findElements(By.cssSelector("[data-test=" + control + "]"))
                            .isEmpty(),
                    control);
        }
        screenshot("viewer-instance");
        clickText("a", "Enrolment");
        find("[data-test=token-row]");
        assertTrue(browser.findElements(By.cssSelector("[data-test=new-token]")).isEmpty());
        assertTrue(browser.findElements(By.xpath("//button[normalize-space(.)='Revoke']"))
                .isEmpty());
        clickText("a", "Users");
        find("table[data-test=users]");
        assertTrue(browser.findElements(By.cssSelector("[data-test=new-user]")).isEmpty());
        assertTrue(browser.findElements(By.cssSelector("table[data-test=users] select"))
                .isEmpty());
        screenshot("viewer-users");
        // and the API refuses the viewer's writes anyway
        ApiClient viewer = new ApiClient(DB, port).login("viewer@example.test", "a viewer password");
        assertEquals(
                403,
                viewer.status("POST", "/api/v1/tenants/" + tenantId + "/enrollment-tokens", Map.of("name", "sneaky")));
        click("[data-test=sign-out]");
        find("input[name=email]");
    }

    @Test
    @Order(6)
    void anExpiredSessionSignsInAgainAndReturnsToThePage() throws Exception {
        signIn("admin@example.test", "an e2e password");
        browser.get(base() + "#/t/" + tenantId + "/alerts");
        find("table[data-test=alerts]");
        // the token expires (exp in 1970): the next navigation goes to sign-in, remembering where the user was
        ((JavascriptExecutor) browser)
                .executeScript("sessionStorage.setItem('overcast.token', 'e30.eyJleHAiOjF9.x');"
                        + " location.hash = '#/t/" + tenantId + "/alerts?kind=OFFLINE';");
        find("input[name=email]");
        assertTrue(browser.getCurrentUrl().contains("next="), browser.getCurrentUrl());
        screenshot("session-expired");
        signIn("admin@example.test", "an e2e password");
        find("table[data-test=alerts]");
        assertTrue(
                browser.getCurrentUrl().endsWith("#/t/" + tenantId + "/alerts?kind=OFFLINE"), browser.getCurrentUrl());
        click("[data-test=sign-out]");
        find("input[name=email]");
    }

    @Test
    @Order(7)
    void tenThousandInstancesShowTheirFirstPageInUnderASecond() throws Exception {
        String big =
                api.post("/api/v1/tenants", Map.of("name", "Initech")).get("id").asText();
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DB, "postgres", "");
                var s = c.prepareStatement("INSERT INTO instances (id, tenant_id, name, product, system_id, status)"
                        + " SELECT gen_random_uuid(), ?::uuid, 'probe-' || lpad(n::text, 5, '0'), 'ntopng',"
                        + " 'sys-' || n, CASE WHEN n % 10 = 0 THEN 'OFFLINE' ELSE 'ONLINE' END"
                        + " FROM generate_series(1, 10000) n")) {
            s.setString(1, big);
            assertEquals(10_000, s.executeUpdate());
        }
        signIn("admin@example.test", "an e2e password");
        long start = System.nanoTime();
        browser.get(base() + "#/t/" + big + "/instances");
        wait.until(d -> d.findElements(By.cssSelector("table[data-test=instances] tbody tr"))
                        .size()
                == 50);
        long ms = Processes.since(start).toMillis();
        System.out.printf("console: first page of 10,000 instances in %d ms%n", ms);
        assertTrue(
                find(".pager").getText().contains("10,000 instances"),
                find(".pager").getText());
        screenshot("ten-thousand");
        assertTrue(ms < 1000, "first page in " + ms + " ms");
    }

    @Test
    @Order(8)
    void licensesAndBillingShowWhatIsUsedAndBuyingGoesThroughCheckout() throws Exception {
        String licenses = "/api/v1/tenants/" + tenantId + "/licenses";
        api.post(licenses, Map.of("planId", "ntopng-el-daily"));
        api.post(licenses, Map.of("planId", "agent-pool-50", "seats", 5));
        // An edge running both products under them.
        Path dir = Files.createTempDirectory("console-licensed-edge");
        String token = api.post("/api/v1/tenants/" + tenantId + "/enrollment-tokens", Map.of("name", "licensed"))
                .get("token")
                .asText();
        assertEquals(
                0,
                Processes.edgeCommand(
                        "console-licensed-enroll",
                        "enroll",
                        "--server",
                        api.base().toString(),
                        "--token",
                        token,
                        "--state-dir",
                        dir.toString(),
                        "--system-id",
                        "licensed-box"));
        licensedEdges.add(Processes.edge(
                "console-licensed-edge",
                "run",
                "--state-dir",
                dir.toString(),
                "--system-id",
                "licensed-box",
                "--license",
                "ntopng:enterprise_l",
                "--license",
                "agent:standard"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/tenants/" + tenantId + "/usage")
                                .get("total")
                                .asInt()
                        == 1);

        browser.get(base() + "#/t/" + tenantId + "/licenses");
        wait.until(d -> !d.findElements(By.cssSelector("[data-test=sign-out], input[name=email]"))
                .isEmpty());
        if (!browser.findElements(By.cssSelector("input[name=email]")).isEmpty()) {
            signIn("admin@example.test", "an e2e password");
        }
        wait.until(d -> {
            String uses = d.findElements(By.cssSelector("[data-test=license-use]")).stream()
                    .map(WebElement::getText)
                    .reduce("", (a, b) -> a + "|" + b);
            return uses.contains("1 of 5 seats in use") && uses.contains("1 day used this month");
        });
        screenshot("licenses");

        browser.get(base() + "#/t/" + tenantId + "/billing");
        assertEquals("1", find("[data-test=usage-total]").getText());
        screenshot("billing");
        WebElement plan = find("[data-plan=ntopng-em-yearly]");
        WebElement quantity = plan.findElement(By.cssSelector("input.qty"));
        quantity.clear();
        quantity.sendKeys("2");
        plan.findElement(By.cssSelector("[data-test=buy]")).click();
        wait.until(d -> d.getCurrentUrl().startsWith(stripe.base() + "/c/pay/cs_test_"));
        find("[data-test=checkout]");
        screenshot("stripe-checkout");
        var sent = stripe.requests("/v1/checkout/sessions");
        var form = sent.get(sent.size() - 1).form();
        assertEquals("2", form.get("line_items[0][quantity]"));
        assertEquals(base() + "#/t/" + tenantId + "/billing?checkout=success", form.get("success_url"));

        // Stripe confirms the payment to the webhook; Checkout sends the buyer back.
        String purchase = form.get("client_reference_id");
        long t = System.currentTimeMillis() / 1000;
        String event = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of(
                        "id",
                        "evt_console_" + purchase,
                        "object",
                        "event",
                        "type",
                        "checkout.session.completed",
                        "created",
                        t,
                        "data",
                        Map.of(
                                "object",
                                Map.of(
                                        "id", form.get("client_reference_id"),
                                        "object", "checkout.session",
                                        "client_reference_id", purchase,
                                        "payment_status", "paid",
                                        "subscription", "sub_console"))));
        String signature = com.stripe.net.Webhook.Util.computeHmacSha256(WEBHOOK_SECRET, t + "." + event);
        assertEquals(
                200,
                api.postRaw(
                        "/api/v1/billing/stripe/webhook", event, "Stripe-Signature", "t=" + t + ",v1=" + signature));
        browser.get(form.get("success_url"));
        find("[data-test=purchase-row][data-status=FULFILLED]");
        screenshot("billing-fulfilled");
        browser.get(base() + "#/t/" + tenantId + "/licenses");
        wait.until(d -> d.findElements(By.cssSelector("[data-test=license-row][data-kind=SUBSCRIPTION]"))
                        .size()
                == 2);
        screenshot("licenses-bought");
    }
}
