package io.github.wananimate.sampling;

import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/**
 * A flow-matching ODE solver for one clip (PIPELINE.md §1). A fresh instance is built for every clip, which
 * resets all solver state exactly as the original builds a new scheduler per clip (§1.4).
 *
 * <p>Use: for {@code i = 0 … steps()-1}, run the model at the integer timestep {@code timesteps()[i]} on the
 * current latent, then {@code latent = step(modelOutput, latent)}. The solver uses the float32
 * {@link #sigmas()} internally; the model never sees them (§1.1, quirk 1 of §7).
 */
public interface Sampler {

    /** The solver's name as accepted by {@link Samplers#create}: {@code "dpm++"}, {@code "unipc"} or {@code "euler"}. */
    String name();

    /** Number of model evaluations (N). */
    int steps();

    /** The N model timesteps, {@code trunc(1000·σ_i)} taken from the float64 σ (§1.2 step 4). */
    long[] timesteps();

    /** The N + 1 float32 σ values the solver integrates over, ending with σ_N = 0. */
    float[] sigmas();

    /** How many steps have been taken so far (the index of the next step). */
    int stepIndex();

    /**
     * Advances the latent from σ_i to σ_{i+1}, where i = {@link #stepIndex()}, given the model's velocity
     * output at σ_i. Neither argument is modified; both must have the same length.
     *
     * @return the new latent (float32)
     * @throws IllegalStateException when all N steps have already been taken
     */
    float[] step(float[] modelOutput, float[] latent);

    /** {@link #step(float[], float[])} on host tensors; the result has the latent's shape. */
    default HostTensor step(HostTensor modelOutput, HostTensor latent) {
        if (!Arrays.equals(modelOutput.shape(), latent.shape())) {
            throw new IllegalArgumentException(name() + " step " + stepIndex() + ": model output shape "
                    + Arrays.toString(modelOutput.shape()) + " differs from latent shape "
                    + Arrays.toString(latent.shape()));
        }
        return HostTensor.ofFloats(latent.shape(), step(modelOutput.toFloatArray(), latent.toFloatArray()));
    }

    /** The current model timestep, {@code timesteps()[stepIndex()]}. */
    default long currentTimestep() {
        return timesteps()[stepIndex()];
    }
}
