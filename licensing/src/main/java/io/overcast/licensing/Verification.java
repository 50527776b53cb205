package io.overcast.licensing;

/** The outcome of verifying a signed document: its claims and signing key, or the problem. */
public sealed interface Verification<T> {
    record Valid<T>(T claims, String keyId) implements Verification<T> {}

    record Invalid<T>(Problem problem, String message) implements Verification<T> {}

    default boolean valid() {
        return this instanceof Valid<T>;
    }
}
