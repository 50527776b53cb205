package io.overcast.edge.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overcast.edge.identity.EdgeState;
import io.overcast.edge.identity.Keys;
import io.overcast.protocol.Facts;
import io.overcast.protocol.FrameCodec;
import io.overcast.protocol.FrameType;
import io.overcast.protocol.Health;
import io.overcast.protocol.Payloads;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session loop on virtual time: no sleeping, every timer driven by {@link ManualTicker}. */
class SessionLoopTest {
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> URLS =
            List.of("wss://a.example/edge/v1/session", "wss://b.example/edge/v1/session");

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final FrameCodec codec = new FrameCodec();
    private final ManualTicker ticker = new ManualTicker(EPOCH);
    private final FakeTransport transport = new FakeTransport();
    private final List<SessionLoop.State> states = new ArrayList<>();
    private EdgeState state;
    private SessionLoop loop;

    @BeforeEach
    void setUp() throws Exception {
        transport.clock = () -> ticker.clock().instant();
        state = TestIdentity.create(dir, EPOCH, EPOCH.plus(Duration.ofDays(30)), URLS, 15);
        loop = new SessionLoop(
                state,
                transport,
                ticker,
                ticker.clock(),
                Backoff.standard(new Random(3)),
                () -> new Facts("host", "ntopng", "6.4", "sys"),
                () -> new Health(
                        0.1, 0.1, 0.1, 1, 2, List.of(), 5, new Health.MonitorStatus("ntopng", "6.4", "RUNNING", null)),
                new SessionLoop.Observer() {
                    @Override
                    public void stateChanged(SessionLoop.State s) {
                        states.add(s);
                    }
                });
    }

    private JsonNode frame(String text) throws Exception {
        return json.readTree(text);
    }

    private List<String> types(FakeTransport.FakeConnection c) throws Exception {
        List<String> out = new ArrayList<>();
        for (String s : c.sent) {
            out.add(frame(s).get("type").asText());
        }
        return out;
    }

    private void welcome(FakeTransport.FakeConnection c, int interval) {
        c.listener.onText(
                codec.encode(FrameType.WELCOME, "w", new Payloads.Welcome(1, "i-1", "t-1", interval, List.of())));
        ticker.runPending();
    }

    @Test
    void saysHelloThenHeartbeatsAtTheIntervalTheServerGives() throws Exception {
        loop.start();
        ticker.runPending();
        var c = transport.last();
        assertEquals(URI.create(URLS.get(0)), c.url);
        assertEquals(List.of("hello"), types(c));
        assertEquals("sys", frame(c.sent.get(0)).at("/payload/facts/systemId").asText());
        assertEquals(SessionLoop.State.HELLO_SENT, loop.state());

        welcome(c, 10);
        assertEquals(SessionLoop.State.ONLINE, loop.state());
        assertEquals(List.of("hello", "heartbeat"), types(c));
        ticker.advance(Duration.ofSeconds(9));
        assertEquals(2, c.sent.size(), "no heartbeat before the interval");
        ticker.advance(Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(10));
        assertEquals(List.of("hello", "heartbeat", "heartbeat", "heartbeat"), types(c));
        assertEquals(
                "RUNNING",
                frame(c.sent.get(3)).at("/payload/health/monitor/status").asText());
    }

    @Test
    void reconnectsWithBackoffRotatingUrlsWhenTheSessionDrops() throws Exception {
        loop.start();
        ticker.runPending();
        welcome(transport.last(), 15);
        transport.last().listener.onClosed(1006, "gone");
        ticker.runPending();
        assertEquals(SessionLoop.State.BACKOFF, loop.state());
        assertEquals(1, transport.attempts.size());
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(2, transport.attempts.size(), "first retry within 1 s");
        assertEquals(URI.create(URLS.get(1)), transport.attempts.get(1), "the next URL is tried");

        transport.refuse = true;
        transport.last().listener.onClosed(1006, "gone again");
        ticker.runPending();
        ticker.advance(Duration.ofMinutes(5));
        // The k-th consecutive failure waits at most min(60 s, 2^k s): every gap stays under its ceiling.
        var backoff = Backoff.standard(new Random());
        int first = 2;
        for (int i = first; i < transport.attemptTimes.size(); i++) {
            Duration gap = Duration.between(transport.attemptTimes.get(i - 1), transport.attemptTimes.get(i));
            Duration ceiling = backoff.ceiling(i - first + 1);
            assertTrue(gap.compareTo(ceiling) <= 0, "gap " + gap + " exceeds ceiling " + ceiling);
        }
        assertTrue(transport.attemptTimes.size() >= 8, "at least the retries whose ceilings fit in 5 minutes");
        transport.refuse = false;
        int before = transport.connections.size();
        for (int s = 0; s <= 60 && transport.connections.size() == before; s++) {
            ticker.advance(Duration.ofSeconds(1));
        }
        welcome(transport.last(), 15);
        assertEquals(SessionLoop.State.ONLINE, loop.state());
    }

    @Test
    void dropsASessionThatNeverGetsAWelcome() throws Exception {
        loop.start();
        ticker.runPending();
        ticker.advance(SessionLoop.HELLO_TIMEOUT);
        assertTrue(transport.connections.get(0).closed);
        assertEquals(SessionLoop.State.BACKOFF, loop.state());
    }

    @Test
    void renewsAtTwoThirdsOfTheCertificateLifeAndKeepsTheNewKey() throws Exception {
        loop.start();
        ticker.runPending();
        var c = transport.last();
        welcome(c, 3600);
        ticker.advance(Duration.ofDays(19));
        assertFalse(types(c).contains("renew"), "not before 2/3 of 30 days");
        ticker.advance(Duration.ofDays(1).plusHours(1));
        assertTrue(types(c).contains("renew"), "renewal asked at 20 days");
        String renewText =
                c.sent.stream().filter(s -> s.contains("\"renew\"")).findFirst().orElseThrow();
        JsonNode renew = frame(renewText);
        var csr = (PKCS10CertificationRequest)
                new PEMParser(new java.io.StringReader(renew.at("/payload/csr").asText())).readObject();
        var newKey = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        var caKey = Keys.newKeyPair();
        var cert = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                new X500Name("CN=test CA"),
                                java.math.BigInteger.TEN,
                                java.util.Date.from(EPOCH),
                                java.util.Date.from(EPOCH.plus(Duration.ofDays(60))),
                                new X500Name("CN=edge"),
                                newKey)
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        String oldKey = state.keyPem();
        c.listener.onText(codec.encode(
                FrameType.RENEWED, renew.get("id").asText(), new Payloads.Renewed(Keys.pem(cert), state.caPem())));
        ticker.runPending();
        assertEquals(cert, Keys.certificates(state.certPem()).get(0));
        assertFalse(oldKey.equals(state.keyPem()), "the new key replaced the old one");
        assertEquals(newKey, Keys.certificates(state.certPem()).get(0).getPublicKey());
    }

    @Test
    void acknowledgesCommandsAndDisconnectsWhenTold() throws Exception {
        loop.start();
        ticker.runPending();
        var c = transport.last();
        welcome(c, 15);
        c.listener.onText(codec.encode(FrameType.COMMAND, "c1", new Payloads.Command("renew_certificate", "test")));
        ticker.runPending();
        c.listener.onText(codec.encode(FrameType.COMMAND, "c2", new Payloads.Command("teleport", null)));
        ticker.runPending();
        c.listener.onText(codec.encode(FrameType.COMMAND, "c3", new Payloads.Command("disconnect", "rebalance")));
        ticker.runPending();
        List<JsonNode> acks = new ArrayList<>();
        for (String s : c.sent) {
            if (frame(s).get("type").asText().equals("ack")) {
                acks.add(frame(s));
            }
        }
        assertEquals(3, acks.size());
        assertTrue(acks.get(0).at("/payload/ok").asBoolean());
        assertFalse(acks.get(1).at("/payload/ok").asBoolean());
        assertEquals("c3", acks.get(2).get("id").asText());
        assertTrue(types(c).contains("renew"), "renew_certificate starts a renewal");
        assertTrue(c.closed);
        assertEquals(SessionLoop.State.BACKOFF, loop.state());
    }

    @Test
    void ignoresGarbageFromTheServerAndAnswersUnknownTypes() throws Exception {
        loop.start();
        ticker.runPending();
        var c = transport.last();
        welcome(c, 15);
        c.listener.onText("not json");
        c.listener.onText("{\"type\":\"mystery\",\"id\":\"m\"}");
        ticker.runPending();
        assertEquals(SessionLoop.State.ONLINE, loop.state());
        JsonNode last = frame(c.sent.get(c.sent.size() - 1));
        assertEquals("error", last.get("type").asText());
        assertEquals("frame_type_unknown", last.at("/payload/code").asText());
    }

    @Test
    void stopClosesAndStaysDown() {
        loop.start();
        ticker.runPending();
        welcome(transport.last(), 15);
        loop.stop();
        ticker.advance(Duration.ofMinutes(10));
        assertTrue(transport.last().closed);
        assertEquals(1, transport.attempts.size());
        assertEquals(SessionLoop.State.STOPPED, loop.state());
    }
}
