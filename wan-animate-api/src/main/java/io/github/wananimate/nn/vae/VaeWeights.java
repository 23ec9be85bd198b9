package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The keys of the whole VAE checkpoint (encoder and decoder together) and the check of a checkpoint against them. */
public final class VaeWeights {

    private VaeWeights() {
    }

    /**
     * {@return every key the encoder and decoder read, in checkpoint order (encoder, conv1, conv2, decoder)}
     *
     * @param config the configuration
     */
    public static List<ParameterSpec> parameters(VaeConfig config) {
        List<ParameterSpec> all = new ArrayList<>(new VaeEncoder(config).parameters());
        all.addAll(new VaeDecoder(config).parameters());
        return all;
    }

    /**
     * Checks {@code weights} against the whole VAE: every problem (missing key, wrong shape, key no part of the
     * VAE reads) in one {@link WeightException}.
     *
     * @param weights the weights
     * @param config the configuration
     */
    public static void validate(ParameterSource weights, VaeConfig config) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        for (ParameterSpec spec : parameters(config)) {
            expected.add(spec.key());
            if (!weights.contains(spec.key())) {
                problems.add("missing key '" + spec.key() + "' (expected shape " + Shapes.toString(spec.shape()) + ")");
            } else if (!Arrays.equals(weights.shape(spec.key()), spec.shape())) {
                problems.add("key '" + spec.key() + "' has shape " + Shapes.toString(weights.shape(spec.key()))
                        + ", expected " + Shapes.toString(spec.shape()));
            }
        }
        for (String key : new TreeSet<>(weights.keys())) {
            if (!expected.contains(key)) {
                problems.add("unexpected key '" + key + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightException("cannot bind the VAE (" + config + ") to " + weights.description() + ": "
                    + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
    }
}
