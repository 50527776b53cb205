package io.overcast.protocol;

import java.util.Locale;
import java.util.Optional;

/** Frame types of protocol version 1. An unknown type is not an exception: {@link #parse} says so. */
public enum FrameType {
    /** edge to server: first frame, capabilities and facts. */
    HELLO,
    /** server to edge: answer to hello. */
    WELCOME,
    /** edge to server: periodic health. */
    HEARTBEAT,
    /** server to edge: an instruction the edge acknowledges. */
    COMMAND,
    /** edge to server: outcome of a command. */
    ACK,
    /** edge to server: a CSR for a fresh certificate. */
    RENEW,
    /** server to edge: the renewed certificate. */
    RENEWED,
    /** edge to server: the products the monitor runs, asking for their leases (and the licenses assigned). */
    LEASE,
    /** server to edge: the answer to a lease request, one grant or problem per product asked for. */
    LEASES,
    /** either way: a request could not be handled. */
    ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<FrameType> parse(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        for (FrameType t : values()) {
            if (t.wireName().equals(wire)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
