package io.github.wananimate.sampling;

import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a sampler over procedural model outputs, as the {@code schedulers} golden fixture was made: the initial
 * latent is the procedural tensor {@code latent.init}, the model output at step k is {@code model_output.k}
 * (scale 1, offset 0). The outputs are named as in the fixture:
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
     * @param shape the latent shape, e.g. [16, 3, 8, 8]
     * @return every output of the case, in order: timesteps (as float32), sigmas, then latent.0 … latent.N−1
     */
    public static Map<String, HostTensor> run(String solver, int steps, double shift, long[] shape, long seed) {
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
        int n = Math.toIntExact(io.github.wananimate.tensor.Shapes.elementCount(shape));
        float[] latent = procedural("latent.init", n, seed);
        for (int k = 0; k < steps; k++) {
            latent = sampler.step(procedural("model_output." + k, n, seed), latent);
            out.put(prefix + ".latent." + k, HostTensor.ofFloats(shape, latent));
        }
        return out;
    }

    /** {@code u(name, i, seed)} for i = 0 … n−1, rounded to float32 (PROCEDURAL.md, scale 1, offset 0). */
    static float[] procedural(String name, int n, long seed) {
        long key = Procedural.fnv1a64(name) ^ seed;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) Procedural.uniform(key, i);
        }
        return values;
    }
}
