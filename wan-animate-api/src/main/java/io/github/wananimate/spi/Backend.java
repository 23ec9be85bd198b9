package io.github.wananimate.spi;

import io.github.wananimate.nn.Network;
import io.github.wananimate.weights.ParameterSource;

/**
 * An executor of {@link io.github.wananimate.nn.Ops}. Implementations register a {@link BackendProvider}
 * through {@link java.util.ServiceLoader}; a backend knows nothing about Wan.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name, e.g. {@code "djl"} or {@code "onnx"}. */
    String name();

    /** Device in words, e.g. {@code "cpu"} or {@code "cuda:0"}. */
    String device();

    /**
     * Validates {@code weights} against {@code network.parameters()} (every problem in one
     * {@link io.github.wananimate.weights.WeightException}), prepares them and binds them once.
     */
    LoadedNetwork load(Network network, ParameterSource weights);

    @Override
    void close();
}
