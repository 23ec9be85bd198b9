package io.github.wananimate.sampling;

/**
 * Shared bookkeeping of the flow solvers: the schedule, the step counter and argument checks. The step index is
 * the loop index (PIPELINE.md §1.8): the original infers its first index from the first timestep's value, which
 * only differs when the integer t₀ occurs twice (UniPC at shift 5 with N ≥ 251), where the original silently
 * starts at step 1. That case is not reproduced.
 */
abstract class AbstractFlowSampler implements Sampler {

    protected final FlowSchedule schedule;
    private int stepIndex;

    AbstractFlowSampler(FlowSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public final int steps() {
        return schedule.steps();
    }

    @Override
    public final long[] timesteps() {
        return schedule.timesteps();
    }

    @Override
    public final float[] sigmas() {
        return schedule.sigmas();
    }

    @Override
    public final int stepIndex() {
        return stepIndex;
    }

    @Override
    public final float[] step(float[] modelOutput, float[] latent) {
        if (stepIndex >= steps()) {
            throw new IllegalStateException(name() + ": all " + steps() + " steps have been taken");
        }
        if (modelOutput.length != latent.length) {
            throw new IllegalArgumentException(name() + " step " + stepIndex + ": model output has "
                    + modelOutput.length + " values, latent has " + latent.length);
        }
        float[] next = advance(stepIndex, modelOutput, latent);
        stepIndex++;
        return next;
    }

    /** One solver step from σ_i to σ_{i+1}. */
    protected abstract float[] advance(int i, float[] modelOutput, float[] latent);

    /** The data prediction x̂₀ = x − σ·v, in float32 as the original computes it (§1.1). */
    protected static float[] dataPrediction(float sigma, float[] modelOutput, float[] latent) {
        float[] x0 = new float[latent.length];
        for (int k = 0; k < x0.length; k++) {
            x0[k] = latent[k] - sigma * modelOutput[k];
        }
        return x0;
    }

    /** a·x + b·m, computed in double and rounded once. */
    protected static float[] combine(double a, float[] x, double b, float[] m) {
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (a * x[k] + b * m[k]);
        }
        return out;
    }

    /** a·x + b·m + c·n, computed in double and rounded once. */
    protected static float[] combine(double a, float[] x, double b, float[] m, double c, float[] n) {
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (a * x[k] + b * m[k] + c * n[k]);
        }
        return out;
    }

    /** a·x + b·m + c·n + d·o, computed in double and rounded once. */
    protected static float[] combine(double a, float[] x, double b, float[] m, double c, float[] n, double d,
            float[] o) {
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (a * x[k] + b * m[k] + c * n[k] + d * o[k]);
        }
        return out;
    }
}
