package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.util.Optional;
import java.util.Set;

/**
 * Named tensors, read lazily: a checkpoint file or folder, a procedural generator, a key-renaming view, a
 * LoRA-merging view. Only {@link #get} touches tensor data.
 */
public interface ParameterSource extends AutoCloseable {

    /** {@return every key this source can provide} */
    Set<String> keys();

    /**
     * Whether a key is present.
     *
     * @param key the key
     * @return whether {@link #keys()} holds it
     */
    default boolean contains(String key) {
        return keys().contains(key);
    }

    /**
     * {@return shape of {@code key}, without reading its data}
     *
     * @param key the checkpoint key
     */
    long[] shape(String key);

    /**
     * {@return stored dtype of {@code key}, without reading its data}
     *
     * @param key the checkpoint key
     */
    DType dtype(String key);

    /**
     * The tensor stored under {@code key}. Throws {@link WeightException} naming the key (and the file) when
     * it is absent or unreadable.
     *
     * @param key the checkpoint key
     * @return the get
     */
    HostTensor get(String key);

    /**
     * The stored bytes of a float8 weight with the table that dequantises them, for a backend that keeps float8 on
     * its device and dequantises there: looking the bytes up in the table gives exactly {@link #get}. Empty (the
     * default) when {@code key} is not stored as float8, or when this source changes its values (a LoRA merge, a
     * transform); the backend then binds {@link #get}.
     *
     * @param key the checkpoint key
     * @return the float8 form of {@code key}, if the source has one
     */
    default Optional<Float8Tensor> float8(String key) {
        return Optional.empty();
    }

    /** {@return a short description for error messages, e.g. the file or folder path} */
    String description();

    @Override
    default void close() {
    }
}
