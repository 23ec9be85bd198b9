package io.github.wananimate.nn;

import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks a checkpoint against what a network binds, and reports every problem at once. */
public final class ParameterBinding {

    private ParameterBinding() {
    }

    /**
     * The key → group map of the groups of {@code network} named in {@code streamedGroups}, for a backend that
     * streams them.
     *
     * @throws IllegalArgumentException naming a group the network does not declare (and the ones it does)
     */
    public static Map<String, String> streamedKeys(Network network, Set<String> streamedGroups) {
        Map<String, String> byKey = new HashMap<>();
        Set<String> known = new TreeSet<>();
        for (ParameterGroup group : network.parameterGroups()) {
            known.add(group.name());
            if (streamedGroups.contains(group.name())) {
                group.keys().forEach(key -> byKey.put(key, group.name()));
            }
        }
        for (String name : streamedGroups) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(network.name() + " has no parameter group '" + name + "'"
                        + (known.isEmpty() ? "; it declares none" : "; it declares " + known));
            }
        }
        return Map.copyOf(byKey);
    }

    /**
     * Validates {@code source} against {@code network.parameters()}: missing required keys, keys under the
     * network's prefix it does not know, and shape mismatches are listed together in one
     * {@link WeightException}. Returns {@code network.prepare(source)} when everything matches.
     */
    public static ParameterSource validateAndPrepare(Network network, ParameterSource source) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (ParameterSpec spec : network.parameters()) {
            expected.add(spec.key());
            if (!source.contains(spec.key())) {
                if (!spec.optional()) {
                    problems.add("missing key '" + spec.key() + "' (expected shape " + Shapes.toString(spec.shape()) + ")");
                }
                continue;
            }
            long[] actual = source.shape(spec.key());
            if (!Arrays.equals(actual, spec.shape())) {
                problems.add("key '" + spec.key() + "' has shape " + Shapes.toString(actual) + ", expected "
                        + Shapes.toString(spec.shape()));
            }
        }
        Set<String> unexpected = new TreeSet<>();
        for (String key : source.keys()) {
            if (key.startsWith(network.keyPrefix()) && !expected.contains(key)) {
                unexpected.add(key);
            }
        }
        for (String key : unexpected) {
            problems.add("unexpected key '" + key + "'");
        }
        if (!problems.isEmpty()) {
            throw new WeightException("cannot bind " + network.name() + " to " + source.description() + ": "
                    + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
        return network.prepare(source);
    }
}
