package io.github.wananimate.sampling;

/**
 * Plain flow-matching Euler (PIPELINE.md §1.7): x_{i+1} = x_i + (σ_{i+1} − σ_i)·v_i over the 'dpm++' schedule.
 * Wan's {@code generate()} has no Euler option; this is for comparison. Unlike diffusers and ComfyUI, which hand
 * the model the float timestep 1000·σ, this sampler exposes the same truncated integer timesteps as the others.
 */
public final class FlowEulerSampler extends AbstractFlowSampler {

    public static final String NAME = "euler";

    public FlowEulerSampler(FlowSchedule schedule) {
        super(schedule);
    }

    public static FlowEulerSampler create(int steps, double shift) {
        return new FlowEulerSampler(FlowSchedule.dpmSolver(steps, shift));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected float[] advance(int i, float[] modelOutput, float[] latent) {
        float dt = schedule.sigma(i + 1) - schedule.sigma(i);
        float[] out = new float[latent.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = latent[k] + dt * modelOutput[k];
        }
        return out;
    }
}
