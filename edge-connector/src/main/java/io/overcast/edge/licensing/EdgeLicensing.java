package io.overcast.edge.licensing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.edge.session.SessionLoop;
import io.overcast.licensing.ClockGuard;
import io.overcast.licensing.Keys;
import io.overcast.licensing.Lease;
import io.overcast.licensing.LeaseRules;
import io.overcast.licensing.License;
import io.overcast.licensing.Problem;
import io.overcast.licensing.Verification;
import io.overcast.licensing.Verifier;
import io.overcast.protocol.Payloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The edge's side of licensing: which products the monitor runs, the signed leases and licenses the control plane
 * granted for them (kept on disk, verified offline against the issuer's keys, so a restart without the cloud
 * carries on), and the state it reports: LICENSED while valid, GRACE for a configured time after a lease lapsed
 * while the cloud is away, then UNLICENSED. A clock that moved backwards (behind the high-water mark of trusted
 * times, which the control plane's answers raise) makes everything UNLICENSED and no grant is accepted on it.
 *
 * <p>Not thread-safe: the session loop calls it on its ticker thread, as does the connector's periodic publish.
 */
public final class EdgeLicensing implements SessionLoop.Licensing {
    private static final Logger LOG = Logger.getLogger(EdgeLicensing.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A refused or failed request is asked again after this. */
    static final Duration RETRY = Duration.ofSeconds(60);

    /** What the edge holds for one wanted product, as stored in {@code held.json}. */
    public record Held(
            String product, String edition, String kind, String licenseId, String document, String renewAfter) {}

    private final List<Payloads.Want> wants;
    private final Path dir;
    private final UUID instanceId;
    private final String systemId;
    private final Clock clock;
    private final Duration grace;
    private final ClockGuard guard;
    private Map<String, String> keys = new LinkedHashMap<>();
    private final Map<Payloads.Want, Held> held = new LinkedHashMap<>();
    private final Map<Payloads.Want, Payloads.Error> problems = new LinkedHashMap<>();
    private Instant retryAt;

    public EdgeLicensing(
            List<Payloads.Want> wants,
            Path stateDir,
            UUID instanceId,
            String systemId,
            Clock clock,
            Duration grace,
            Duration clockTolerance) {
        this.wants = List.copyOf(wants);
        this.dir = stateDir.resolve("licensing");
        this.instanceId = instanceId;
        this.systemId = systemId;
        this.clock = clock;
        this.grace = grace;
        try {
            Files.createDirectories(dir);
            this.guard = new ClockGuard(ClockGuard.file(dir.resolve("clock-mark")), clockTolerance);
            load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the licensing state in " + dir, e);
        }
    }

    /** Parses {@code product:edition}, as the CLI takes it. */
    public static Payloads.Want want(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("a license is product:edition, e.g. ntopng:enterprise_l, not " + spec);
        }
        return new Payloads.Want(spec.substring(0, colon), spec.substring(colon + 1));
    }

    @Override
    public List<Payloads.Want> wants() {
        return wants;
    }

    @Override
    public void granted(Payloads.Leases answer) {
        Instant now = clock.instant();
        Instant serverTime = parse(answer.serverTime());
        try {
            if (serverTime != null) {
                guard.trust(serverTime);
            }
            if (!guard.accept(now)) {
                LOG.warning("this host's clock is behind a time it trusted before: not extending any lease");
                retryAt = now.plus(RETRY);
                return;
            }
        } catch (IOException e) {
            LOG.warning("cannot keep the clock mark: " + e.getMessage());
            retryAt = now.plus(RETRY);
            return;
        }
        if (answer.keys() != null && !answer.keys().isEmpty()) {
            keys = new LinkedHashMap<>(answer.keys());
        }
        Verifier verifier = verifier();
        problems.clear();
        retryAt = null;
        for (Payloads.Grant g : answer.grants() == null ? List.<Payloads.Grant>of() : answer.grants()) {
            Payloads.Want w = new Payloads.Want(g.product(), g.edition());
            if (!wants.contains(w)) {
                continue;
            }
            if (g.problem() != null || g.document() == null) {
                problems.put(
                        w, g.problem() != null ? g.problem() : new Payloads.Error("not_licensed", "nothing granted"));
                retryAt = earliest(retryAt, now.plus(RETRY));
                continue;
            }
            Held h = new Held(g.product(), g.edition(), g.kind(), g.licenseId(), g.document(), g.renewAfter());
            Problem p = check(verifier, h, now);
            if (p != null) {
                // A document that does not verify is not kept: what was held before stays until it lapses.
                LOG.warning("refusing the " + g.kind() + " document for " + w.product() + ": " + p.code());
                problems.put(w, new Payloads.Error(p.code(), "the document granted does not verify"));
                retryAt = earliest(retryAt, now.plus(RETRY));
                continue;
            }
            held.put(w, h);
        }
        save();
    }

    @Override
    public void failed(String why) {
        LOG.info("lease request failed: " + why);
        retryAt = clock.instant().plus(RETRY);
    }

    @Override
    public Instant nextRequest() {
        if (wants.isEmpty()) {
            return null;
        }
        Instant next = retryAt;
        for (Payloads.Want w : wants) {
            Held h = held.get(w);
            Instant renew = h == null ? null : parse(h.renewAfter());
            if (h == null && !problems.containsKey(w)) {
                return clock.instant();
            }
            next = earliest(next, renew);
        }
        return next == null ? clock.instant().plus(RETRY) : next;
    }

    @Override
    public List<Payloads.LicenseState> states() {
        Instant now = clock.instant();
        boolean clockOk;
        try {
            clockOk = guard.accept(now);
        } catch (IOException e) {
            clockOk = false;
        }
        Verifier verifier = verifier();
        List<Payloads.LicenseState> out = new ArrayList<>();
        for (Payloads.Want w : wants) {
            Held h = held.get(w);
            Payloads.Error problem = problems.get(w);
            if (!clockOk) {
                out.add(state(w, h, LeaseRules.State.UNLICENSED, null, Problem.CLOCK_ROLLED_BACK.code()));
            } else if (h == null) {
                out.add(state(w, null, LeaseRules.State.UNLICENSED, null, problem == null ? null : problem.code()));
            } else if ("PERMANENT".equals(h.kind()) || "SUBSCRIPTION".equals(h.kind())) {
                out.add(licenseState(verifier, w, h, now));
            } else {
                out.add(leaseState(verifier, w, h, now, problem));
            }
        }
        return out;
    }

    private Payloads.LicenseState licenseState(Verifier verifier, Payloads.Want w, Held h, Instant now) {
        Verification<License> v = verifier.license(h.document(), systemId, now);
        if (v instanceof Verification.Valid<License> ok) {
            Instant end = ok.claims().expiresAt();
            return state(w, h, LeaseRules.State.LICENSED, end, null);
        }
        return state(
                w,
                h,
                LeaseRules.State.UNLICENSED,
                null,
                ((Verification.Invalid<License>) v).problem().code());
    }

    private Payloads.LicenseState leaseState(
            Verifier verifier, Payloads.Want w, Held h, Instant now, Payloads.Error problem) {
        // Verified once more without the time check (LeaseRules decides between licensed, grace and unlicensed).
        Verification<Lease> v = verifier.lease(h.document(), instanceId, null);
        if (!(v instanceof Verification.Valid<Lease> ok)) {
            return state(
                    w,
                    h,
                    LeaseRules.State.UNLICENSED,
                    null,
                    ((Verification.Invalid<Lease>) v).problem().code());
        }
        LeaseRules.Status s = LeaseRules.evaluate(ok.claims(), now, true, grace);
        String code = s.problem() != null
                ? s.problem().code()
                : s.state() == LeaseRules.State.GRACE && problem != null ? problem.code() : null;
        return state(w, h, s.state(), s.until(), code);
    }

    private static Payloads.LicenseState state(
            Payloads.Want w, Held h, LeaseRules.State state, Instant until, String problem) {
        return new Payloads.LicenseState(
                w.product(),
                w.edition(),
                state.name(),
                h == null ? null : h.kind(),
                until == null ? null : until.toString(),
                problem);
    }

    /** Null when the document verifies for this instance (or system) now. */
    private Problem check(Verifier verifier, Held h, Instant now) {
        if ("PERMANENT".equals(h.kind()) || "SUBSCRIPTION".equals(h.kind())) {
            return verifier.license(h.document(), systemId, now) instanceof Verification.Invalid<License> bad
                    ? bad.problem()
                    : null;
        }
        return verifier.lease(h.document(), instanceId, now) instanceof Verification.Invalid<Lease> bad
                ? bad.problem()
                : null;
    }

    private Verifier verifier() {
        Map<String, PublicKey> decoded = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            try {
                decoded.put(id, Keys.decode(key));
            } catch (RuntimeException e) {
                LOG.warning("ignoring an unreadable issuer key " + id);
            }
        });
        return new Verifier(decoded);
    }

    private void load() throws IOException {
        Path k = dir.resolve("keys.json");
        if (Files.exists(k)) {
            keys = JSON.readValue(k.toFile(), new TypeReference<LinkedHashMap<String, String>>() {});
        }
        Path h = dir.resolve("held.json");
        if (Files.exists(h)) {
            for (Held x : JSON.readValue(h.toFile(), new TypeReference<List<Held>>() {})) {
                Payloads.Want w = new Payloads.Want(x.product(), x.edition());
                if (wants.contains(w)) {
                    held.put(w, x);
                }
            }
        }
    }

    private void save() {
        try {
            write("keys.json", JSON.writeValueAsString(keys));
            write("held.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(List.copyOf(held.values())));
        } catch (IOException e) {
            LOG.warning("cannot save the licensing state: " + e.getMessage());
        }
    }

    private void write(String name, String content) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant parse(String t) {
        try {
            return t == null ? null : Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
