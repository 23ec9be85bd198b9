package io.github.wananimate.nn;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read-only view of a network's inputs whose {@link #get} fails with a message naming the network, the
 * missing input and the inputs that were given, instead of returning {@code null} (which would surface later
 * as a {@link NullPointerException} inside some op). Executors hand this view to {@link Network#forward}.
 */
public final class RequiredInputs<V> extends AbstractMap<String, V> {

    private final String networkName;
    private final Map<String, V> inputs;

    private RequiredInputs(String networkName, Map<String, V> inputs) {
        this.networkName = networkName;
        this.inputs = inputs;
    }

    /**
     * The inputs of a network call, read strictly.
     *
     * @param <V> the value type
     * @param networkName the network, named in the error
     * @param inputs the inputs
     * @return a read-only map whose {@code get} of an absent name fails naming the network and what it has
     */
    public static <V> Map<String, V> of(String networkName, Map<String, V> inputs) {
        return new RequiredInputs<>(networkName, Map.copyOf(inputs));
    }

    @Override
    public V get(Object name) {
        V value = inputs.get(name);
        if (value == null) {
            throw new IllegalArgumentException("network '" + networkName + "' needs input '" + name
                    + "', but the call provides only " + new TreeSet<>(inputs.keySet()));
        }
        return value;
    }

    /** Optional inputs: no error when absent. */
    @Override
    public V getOrDefault(Object name, V fallback) {
        return inputs.getOrDefault(name, fallback);
    }

    @Override
    public boolean containsKey(Object name) {
        return inputs.containsKey(name);
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        return inputs.entrySet();
    }
}
