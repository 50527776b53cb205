package io.overcast.controlplane.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an operator tunes, under {@code overcast.*} (environment: {@code OVERCAST_*}). */
@ConfigMapping(prefix = "overcast")
public interface OvercastConfig {

    /** Base64 of 32 random bytes that seals the CA and signing keys in the database. */
    Optional<String> masterKey();

    /** Allow generating a throw-away master key when none is given (demo runs only; said loudly). */
    @WithDefault("false")
    boolean demoMasterKey();

    Bootstrap bootstrap();

    Pki pki();

    Edge edge();

    Alerts alerts();

    Auth auth();

    Licensing licensing();

    Stripe stripe();

    /** The first organization and its owner, created once on an empty database. */
    interface Bootstrap {
        /** Name of the first organization. */
        @WithDefault("Default organization")
        String organization();

        /** E-mail of the first owner (OVERCAST_BOOTSTRAP_ADMIN_EMAIL). Required on an empty database. */
        Optional<String> adminEmail();

        /** Password of the first owner (OVERCAST_BOOTSTRAP_ADMIN_PASSWORD), at least 12 characters. */
        Optional<String> adminPassword();
    }

    interface Pki {
        /** SPIFFE trust domain of the deployment. */
        @WithDefault("overcast.local")
        String trustDomain();

        /** Operator-provided CA certificate (PEM file); with ca-key-file, replaces the generated CA. */
        Optional<String> caCertFile();

        /** Operator-provided CA private key (PEM file, PKCS#8). */
        Optional<String> caKeyFile();

        /** Operator-provided server certificate chain (PEM); otherwise one is issued from the CA at start. */
        Optional<String> serverCertFile();

        /** Operator-provided server private key (PEM). */
        Optional<String> serverKeyFile();

        /** Host names and IP addresses the issued server certificate is valid for. */
        @WithDefault("localhost,127.0.0.1")
        List<String> serverNames();

        /** Validity of instance certificates. */
        @WithDefault("P30D")
        Duration instanceCertValidity();
    }

    interface Edge {
        /** Heartbeat interval told to edges; an edge silent for two intervals is OFFLINE. */
        @WithDefault("15s")
        Duration heartbeatInterval();

        /** Session URLs given to enrolled edges; defaults to wss://<first server name>:<https port>/edge/v1/session. */
        Optional<List<String>> sessionUrls();

        /** Malformed or unknown frames tolerated per minute before the session is closed. */
        @WithDefault("20")
        int badFrameBudget();

        /** Frames per second above which a session is closed as a flood. */
        @WithDefault("50")
        int maxFramesPerSecond();

        /** How often buffered heartbeats are written to the database. */
        @WithDefault("1s")
        Duration flushInterval();

        /** How long health samples are kept. */
        @WithDefault("P30D")
        Duration healthRetention();
    }

    interface Alerts {
        /** Transitions within flap-window that make an instance "flapping". */
        @WithDefault("6")
        int flapThreshold();

        /** Window over which transitions are counted. */
        @WithDefault("10m")
        Duration flapWindow();

        /** Delivery attempts before a notification is given up as FAILED. */
        @WithDefault("8")
        int maxAttempts();

        /** Sender address of alert e-mails. */
        @WithDefault("overcast@localhost")
        String mailFrom();
    }

    interface Auth {
        /** Issuer of user access tokens. */
        @WithDefault("https://overcast.local")
        String issuer();

        /** Lifetime of a user access token. */
        @WithDefault("15m")
        Duration accessTokenLifetime();

        /** Failed logins allowed before the account is slowed down. */
        @WithDefault("5")
        int freeFailures();
    }

    interface Licensing {
        /** Loads the demo plan catalog when the plans table is empty (OVERCAST_LICENSING_DEMO_CATALOG). */
        @WithDefault("true")
        boolean demoCatalog();

        /** How long a POOLED seat lease lasts; the edge renews it at half. */
        @WithDefault("1h")
        Duration poolLeaseTtl();

        /**
         * A DAILY lease runs to the next UTC midnight plus this overlap, so an edge renewing just after midnight
         * (the renewal that consumes the new day) never drops out of LICENSED.
         */
        @WithDefault("15m")
        Duration dailyOverlap();

        /** Edges renew DAILY leases at midnight plus a random delay up to this, spreading the rollover. */
        @WithDefault("30s")
        Duration midnightSpread();

        /**
         * Lease transactions in flight at once; more wait in memory, so a burst leaves database connections to
         * the heartbeat flush and the offline sweep (the pool has 20).
         */
        @WithDefault("6")
        int leaseConcurrency();
    }

    /**
     * Stripe. Billing is on when an API key is set (OVERCAST_STRIPE_API_KEY); a private cloud leaves it unset and
     * issues licenses through the admin API. OVERCAST_STRIPE_API_BASE only points stripe-java at another server.
     */
    interface Stripe {
        Optional<String> apiKey();

        Optional<String> webhookSecret();

        Optional<String> apiBase();

        /** Where Checkout sends the buyer back: the console's address. */
        @WithDefault("https://localhost:8443/")
        String returnUrl();

        /** Oldest webhook signature timestamp accepted. */
        @WithDefault("5m")
        Duration webhookTolerance();

        /** Meter events sent per outbox pass. */
        @WithDefault("200")
        int meterBatch();

        /** How often the meter-event outbox is flushed to Stripe. */
        @WithDefault("2s")
        String meterFlushEvery();

        /** Meter events in flight to Stripe at once. */
        @WithDefault("8")
        int meterConcurrency();
    }
}
