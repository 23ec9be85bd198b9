package io.github.wananimate.spi;

import java.util.Optional;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend module
 * ({@code META-INF/services/io.github.wananimate.spi.BackendProvider}).
 */
public interface BackendProvider {

    /** {@return unique lower-case name used to select the backend, e.g. {@code "djl"}} */
    String name();

    /**
     * Rank among the available backends when the caller asks for the best one for {@code device} ({@code "cpu"},
     * {@code "cuda"}, {@code "cuda:N"}); higher wins. Depends on the device because a backend's speed does: on the
     * CPU the planned graphs of ONNX Runtime beat eager PyTorch (README, measured numbers).
     *
     * @param device the device asked for
     * @return the rank; higher wins
     */
    int priority(String device);

    /** {@return whether the native runtime can be loaded here; must not throw} */
    boolean isAvailable();

    /**
     * Why {@link #isAvailable()} is false: an exception whose message says what failed and how to fix it (which
     * artifact, classifier or environment variable), with the original load failure as its cause. Empty when the
     * backend is available. Must not throw.
     *
     * @return the load failure, empty when available
     */
    default Optional<RuntimeException> loadFailure() {
        return isAvailable() ? Optional.empty()
                : Optional.of(new IllegalStateException("the native runtime of backend '" + name()
                        + "' cannot be loaded (the provider gives no reason)"));
    }

    /**
     * Opens the backend on {@code options.device()}.
     *
     * @param options device and threads
     * @return the opened backend; close it to free its native resources
     */
    Backend open(BackendOptions options);
}
