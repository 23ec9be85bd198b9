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

    /** Problems listed one by one in a binding error; the rest are counted (a wrong checkpoint has hundreds). */
    static final int SHOWN_PROBLEMS = 10;

    private ParameterBinding() {
    }

    /**
     * The key → group map of the groups of {@code network} named in {@code streamedGroups}, for a backend that
     * streams them.
     *
     * @param network the network
     * @param streamedGroups names of the groups to stream
     * @throws IllegalArgumentException naming a group the network does not declare (and the ones it does)
     * @return streamed key → its group
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
     *
     * @param network the network
     * @param source the checkpoint
     * @return the prepared weights
     */
    public static ParameterSource validateAndPrepare(Network network, ParameterSource source) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        int missing = 0;
        int misShaped = 0;
        int required = 0;
        for (ParameterSpec spec : network.parameters()) {
            expected.add(spec.key());
            required += spec.optional() ? 0 : 1;
            if (!source.contains(spec.key())) {
                if (!spec.optional()) {
                    missing++;
                    problems.add("missing key '" + spec.key() + "' (expected shape " + Shapes.toString(spec.shape()) + ")");
                }
                continue;
            }
            long[] actual = source.shape(spec.key());
            if (!Arrays.equals(actual, spec.shape())) {
                misShaped++;
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
            StringBuilder message = new StringBuilder("cannot bind " + network.name() + " to "
                    + source.description() + ": " + problems.size() + " problem(s) (" + missing + " of " + required
                    + " required keys missing, " + misShaped + " with the wrong shape, " + unexpected.size()
                    + " unexpected)");
            if (required > 0 && missing == required) {
                message.append("; none of its keys is there: is this the checkpoint of ").append(network.name())
                        .append(" (keys under '").append(network.keyPrefix()).append("')?");
            }
            if (unexpected.stream().anyMatch(k -> k.endsWith(".scale_weight") || k.endsWith(".weight_scale"))) {
                message.append("; the file has float8 scales: open it with Checkpoints.open or "
                        + "Fp8Checkpoint.wrapIfFloat8, which apply them");
            }
            List<String> shown = problems.subList(0, Math.min(problems.size(), SHOWN_PROBLEMS));
            message.append(":\n  - ").append(String.join("\n  - ", shown));
            if (problems.size() > shown.size()) {
                message.append("\n  … and ").append(problems.size() - shown.size()).append(" more of the same kinds");
            }
            throw new WeightException(message.toString());
        }
        return network.prepare(source);
    }
}
