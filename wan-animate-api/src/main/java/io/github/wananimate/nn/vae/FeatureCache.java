package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The causal feature cache of one chunk call (NETWORKS.md §4.5), made explicit: what the previous chunk left for
 * each temporal layer comes in as network inputs {@code cache.<layer key>}, and what this chunk leaves goes out
 * as {@code updated_cache.<layer key>}. With no cache inputs the call is the start of a sequence: zero frames in
 * front of every causal conv and the first frame bypassing the temporal resamples.
 *
 * <p>Every cache holds a fixed number of frames (2 for a k_t = 3 conv and for {@code upsample3d}, 1 for
 * {@code downsample3d}); where the original keeps fewer frames and pads the rest with zeros, this cache holds the
 * zero frames themselves, which gives the same convolution.
 */
public final class FeatureCache {

    static final String INPUT_PREFIX = "cache.";
    static final String OUTPUT_PREFIX = "updated_cache.";

    /**
     * {@return whether a network output is a cache this chunk leaves for the next one}
     *
     * @param outputName the output's name
     */
    public static boolean isUpdate(String outputName) {
        return outputName.startsWith(OUTPUT_PREFIX);
    }

    /**
     * {@return the input name under which the next chunk reads the cache output {@code updateName}}
     *
     * @param updateName a cache output's name
     */
    public static String inputFor(String updateName) {
        if (!isUpdate(updateName)) {
            throw new IllegalArgumentException("not a cache output: " + updateName);
        }
        return INPUT_PREFIX + updateName.substring(OUTPUT_PREFIX.length());
    }

    private final Map<String, Tensor> previous;
    private final Set<String> consumed = new TreeSet<>();
    private final List<String> layers = new ArrayList<>();
    private final List<Tensor> frames = new ArrayList<>();

    private FeatureCache(Map<String, Tensor> previous) {
        this.previous = previous;
    }

    /** The cache inputs among a network's inputs; none means the start of a sequence. */
    static FeatureCache fromInputs(Map<String, Tensor> inputs) {
        Map<String, Tensor> previous = new LinkedHashMap<>();
        inputs.forEach((name, tensor) -> {
            if (name.startsWith(INPUT_PREFIX)) {
                previous.put(name.substring(INPUT_PREFIX.length()), tensor);
            }
        });
        return new FeatureCache(previous.isEmpty() ? null : previous);
    }

    /** The cache output name that becomes input {@code cache.<layer>} of the next chunk. */
    static String outputName(String layer) {
        return OUTPUT_PREFIX + layer;
    }

    /** The input name carrying what the previous chunk left for {@code layer}. */
    static String inputName(String layer) {
        return INPUT_PREFIX + layer;
    }

    boolean atStart() {
        return previous == null;
    }

    /** What the previous chunk left for {@code layer}. Only valid when not {@link #atStart()}. */
    Tensor previous(String layer) {
        Tensor t = previous.get(layer);
        if (t == null) {
            throw new IllegalArgumentException("missing input '" + inputName(layer)
                    + "': a continuation chunk needs every cache tensor the previous chunk returned");
        }
        consumed.add(layer);
        return t;
    }

    /**
     * The frames in front of this call's next input to {@code layer}: what this call last recorded for it (when the
     * layer runs on consecutive slices of the chunk), else what the previous chunk left, or null at the start of a
     * sequence.
     */
    Tensor history(String layer) {
        int last = layers.lastIndexOf(layer);
        if (last >= 0) {
            return frames.get(last);
        }
        return atStart() ? null : previous(layer);
    }

    /** Records what this chunk leaves for {@code layer} (the last record of a layer is what the call returns). */
    void update(String layer, Tensor cached) {
        layers.add(layer);
        frames.add(cached);
    }

    int size() {
        return frames.size();
    }

    /** The cache tensors recorded since {@code mark} (a value of {@link #size()}). */
    List<Tensor> since(int mark) {
        return new ArrayList<>(frames.subList(mark, frames.size()));
    }

    /** Replaces the tensors recorded since {@code mark} (with the handles a memory scope returned). */
    void replaceSince(int mark, List<Tensor> kept) {
        for (int i = 0; i < kept.size(); i++) {
            frames.set(mark + i, kept.get(i));
        }
    }

    /** The updated cache as network outputs; fails if a cache input was given that no layer read. */
    Map<String, Tensor> outputs() {
        if (previous != null && !consumed.equals(previous.keySet())) {
            Set<String> unused = new TreeSet<>(previous.keySet());
            unused.removeAll(consumed);
            throw new IllegalArgumentException("cache inputs not used by this network: " + unused);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            out.put(outputName(layers.get(i)), frames.get(i));   // a later record of a layer replaces an earlier one
        }
        return out;
    }
}
