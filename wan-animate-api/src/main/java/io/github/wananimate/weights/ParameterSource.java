package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
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

    /** {@return a short description for error messages, e.g. the file or folder path} */
    String description();

    @Override
    default void close() {
    }
}
