package io.github.wananimate.spi;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend module
 * ({@code META-INF/services/io.github.wananimate.spi.BackendProvider}).
 */
public interface BackendProvider {

    /** Unique lower-case name used to select the backend, e.g. {@code "djl"}. */
    String name();

    /** Higher wins when the caller asks for the best available backend. */
    int priority();

    /** Whether the native runtime can be loaded here; must not throw. */
    boolean isAvailable();

    /** Opens the backend on {@code options.device()}. */
    Backend open(BackendOptions options);
}
