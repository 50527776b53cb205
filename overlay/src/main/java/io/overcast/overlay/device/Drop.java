package io.overcast.overlay.device;

/** Why a packet was dropped; each reason is counted ({@link Device#dropped(Drop)}). */
public enum Drop {
    /** No peer's allowed IPs contain the destination of a packet from the TUN. */
    NO_ROUTE,
    /** The peer has no endpoint to send to yet. */
    NO_ENDPOINT,
    /** Not a WireGuard message: unknown type, wrong size for its type, or non-zero reserved bytes. */
    MALFORMED,
    /** A handshake message whose MAC1 is not for us. */
    BAD_MAC1,
    /** A message naming a receiver index we do not hold. */
    UNKNOWN_INDEX,
    /** A transport message that does not authenticate. */
    NOT_AUTHENTIC,
    /** A transport counter already seen or too old for the window. */
    REPLAYED,
    /** A transport message on keys older than REJECT_AFTER_TIME. */
    EXPIRED_KEYS,
    /** A decrypted packet that is not a whole IPv4/IPv6 packet. */
    MALFORMED_INNER,
    /** A decrypted packet whose source is not in the sending peer's allowed IPs. */
    DISALLOWED_SOURCE,
    /** A handshake message that fails decryption, names an unknown peer, or carries a replayed timestamp. */
    HANDSHAKE_INVALID,
    /** An initiation less than 20 ms after the previous one from the same peer. */
    HANDSHAKE_FLOOD,
    /** Under load: a valid MAC2 but over the per-source handshake rate. */
    RATE_LIMITED,
    /** Under load: answered with a cookie reply instead of being processed. */
    COOKIE_SENT,
    /** A cookie reply that does not decrypt or answers nothing we sent. */
    BAD_COOKIE,
    /** The handshake queue was full. */
    QUEUE_FULL,
    /** The TUN or the socket refused a write. */
    IO_ERROR,
    /** A bug: an exception escaped packet handling (logged, the loop goes on). */
    INTERNAL
}
