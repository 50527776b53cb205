/**
 * The edge session protocol, version 1.
 *
 * <h2>Transport</h2>
 * One WebSocket per edge at {@code wss://HOST:PORT/edge/v1/session}, over TLS where the edge presents the
 * certificate it got at enrolment. The control plane refuses the upgrade (HTTP 401/403) when the certificate
 * is missing, expired, revoked or foreign: no frame is read before identity is established.
 *
 * <h2>Frames</h2>
 * Text frames holding one JSON object {@code {"type": T, "id": ID, "payload": {...}}}, at most
 * {@link io.overcast.protocol.Limits#MAX_FRAME_BYTES} bytes. {@code id} is chosen by the sender of a request
 * and echoed by the answer ({@code ack}, {@code error}, {@code renewed}).
 *
 * <h2>Protocol flow</h2>
 * <pre>
 *   edge                                   control plane
 *   hello {protocol, capabilities, facts}  -&gt;
 *                                          &lt;-  welcome {protocol, instanceId, heartbeatIntervalSeconds, capabilities}
 *   heartbeat {health}                     -&gt;   (every interval; no answer)
 *                                          &lt;-  command {command: renew_certificate|disconnect}
 *   ack {ok, error}                        -&gt;
 *   renew {csr}                            -&gt;   (at 2/3 of the certificate's life, or when told)
 *                                          &lt;-  renewed {certificate, caChain}
 *   anything unknown or malformed          -&gt;
 *                                          &lt;-  error {code, message}
 * </pre>
 *
 * <h2>History</h2>
 * Version 1: hello/welcome, heartbeat with health, commands renew_certificate and disconnect, renew.
 */
package io.overcast.protocol;
