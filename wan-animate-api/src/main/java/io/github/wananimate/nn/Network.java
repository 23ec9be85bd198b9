package io.github.wananimate.nn;

import io.github.wananimate.weights.ParameterSource;
import java.util.List;
import java.util.Map;

/**
 * A network written once against {@link Ops}: parameters named by their official checkpoint keys, no
 * backend types, no I/O. Backends bind it to a {@link ParameterSource} and run {@link #forward}.
 */
public interface Network {

    /** {@return a short name for logs and errors, e.g. {@code "motion_encoder"}} */
    String name();

    /** {@return every checkpoint key this network reads, with its shape. Validated in one go before binding} */
    List<ParameterSpec> parameters();

    /**
     * The key prefix this network owns inside a larger checkpoint ({@code ""} for a whole file). Keys under it
     * that {@link #parameters()} does not list are reported as unexpected.
     *
     * @return the prefix
     */
    default String keyPrefix() {
        return "";
    }

    /**
     * Host-side preparation done once at bind time, after validation: derived tensors that are constants of the
     * weights (the motion encoder's Householder Q, for example) are added to the returned view. The default
     * returns the checkpoint unchanged.
     *
     * @param checkpoint the validated weights
     * @return the weights the network binds
     */
    default ParameterSource prepare(ParameterSource checkpoint) {
        return checkpoint;
    }

    /**
     * The groups of parameters that a backend may stream (upload for one {@link Ops#chain} step and free after
     * it) instead of keeping resident, in the order the forward pass reads them. Default: none.
     *
     * @return the groups, in forward order
     */
    default List<ParameterGroup> parameterGroups() {
        return List.of();
    }

    /**
     * Runs the network. Inputs and outputs are keyed by name; the outputs map is ordered and may hold
     * intermediates after the main output (useful for parity checks).
     *
     * @param ops the backend's operations
     * @param inputs the inputs by name
     * @return the outputs by name, main output first
     */
    Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs);
}
