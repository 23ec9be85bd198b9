package io.github.wananimate.sampling;

import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Runs a sampler over given model outputs, as the {@code schedulers} golden fixture was made (there the initial
 * latent is the procedural tensor {@code latent.init} and the model output at step k is {@code model_output.k}).
 * The outputs are named as in the fixture:
 * {@code <solver>.steps<N>.shift<s>.timesteps}, {@code ….sigmas} and {@code ….latent.<k>} (the latent after
 * step k).
 */
public final class SamplerTrace {

    private SamplerTrace() {
    }

    /** The fixture's output-name prefix, e.g. {@code dpm++.steps4.shift5}. */
    public static String prefix(String solver, int steps, double shift) {
        String s = shift == Math.rint(shift) ? Long.toString((long) shift) : Double.toString(shift);
        return solver + ".steps" + steps + ".shift" + s;
    }

    /**
     * Runs {@code solver} for {@code steps} steps from {@code initialLatent}, feeding {@code modelOutput.apply(k)}
     * as the model output at step k.
     *
     * @return every output of the case, in order: timesteps (as float32), sigmas, then latent.0 … latent.N−1
     */
    public static Map<String, HostTensor> run(String solver, int steps, double shift, HostTensor initialLatent,
            IntFunction<HostTensor> modelOutput) {
        Sampler sampler = Samplers.create(solver, steps, shift);
        String prefix = prefix(solver, steps, shift);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        long[] timesteps = sampler.timesteps();
        float[] t = new float[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timesteps[i];
        }
        out.put(prefix + ".timesteps", HostTensor.ofFloats(new long[] {t.length}, t));
        float[] sigmas = sampler.sigmas();
        out.put(prefix + ".sigmas", HostTensor.ofFloats(new long[] {sigmas.length}, sigmas));
        HostTensor latent = initialLatent;
        for (int k = 0; k < steps; k++) {
            latent = sampler.step(modelOutput.apply(k), latent);
            out.put(prefix + ".latent." + k, latent);
        }
        return out;
    }
}
