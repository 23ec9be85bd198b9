package io.github.wananimate.sampling;

/**
 * Flow DPM-Solver++(2M), 'dpm++', as {@code FlowDPMSolverMultistepScheduler} runs with the settings
 * {@code animate.py} uses (PIPELINE.md §1.4–1.5): data prediction, midpoint second order, lower order at the
 * final step because {@code final_sigmas_type = zero}.
 *
 * <p>Orders: 1 at step 0 (no history) and at step N−1 (forced), 2 otherwise. With σ₀ = 1 the second-order
 * correction of step 1 vanishes (λ(1) = −∞ gives r = ∞, D1 = 0); that is tested explicitly rather than left to
 * IEEE infinities. Coefficients are computed in float64 from the float32 σ; the update is rounded to float32.
 */
public final class FlowDpmSolverSampler extends AbstractFlowSampler {

    public static final String NAME = "dpm++";

    private float[] previousDataPrediction;

    public FlowDpmSolverSampler(FlowSchedule schedule) {
        super(schedule);
    }

    /** The schedule {@code animate.py} builds for 'dpm++' (§1.2). */
    public static FlowDpmSolverSampler create(int steps, double shift) {
        return new FlowDpmSolverSampler(FlowSchedule.dpmSolver(steps, shift));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected float[] advance(int i, float[] modelOutput, float[] latent) {
        float sigmaS = schedule.sigma(i);
        float sigmaT = schedule.sigma(i + 1);
        float[] m0 = dataPrediction(sigmaS, modelOutput, latent);
        float[] m1 = previousDataPrediction;
        previousDataPrediction = m0;

        double ratio = (double) sigmaT / sigmaS;
        double alphaT = 1.0 - sigmaT;
        // E = e^{−h} − 1 with h = λ_t − λ_s. σ_s = 1 (λ_s = −∞) or σ_t = 0 (λ_t = +∞) make h = +∞ and E = −1.
        double expMinusHMinusOne = (sigmaS == 1f || sigmaT == 0f)
                ? -1.0
                : Math.exp(-(FlowSchedule.lambda(sigmaT) - FlowSchedule.lambda(sigmaS))) - 1.0;
        double b = -alphaT * expMinusHMinusOne;

        boolean firstOrder = i == 0 || i == steps() - 1;
        if (firstOrder) {
            if (sigmaT == 0f) {
                return m0.clone(); // x_N = x̂₀ exactly: (σ_t/σ_s)·x vanishes and α_t·E = −1
            }
            return combine(ratio, latent, b, m0);
        }
        float sigmaPrev = schedule.sigma(i - 1);
        if (sigmaPrev == 1f) {
            // λ(σ_{i−1}) = −∞ ⇒ r = ∞ ⇒ D1 = 0: this "second-order" step is first order (§1.5 quirk).
            return combine(ratio, latent, b, m0);
        }
        double h = FlowSchedule.lambda(sigmaT) - FlowSchedule.lambda(sigmaS);
        double r = (FlowSchedule.lambda(sigmaS) - FlowSchedule.lambda(sigmaPrev)) / h;
        // x_t = a·x − α_t·E·m0 − ½·α_t·E·(m0 − m1)/r
        double half = 0.5 * alphaT * expMinusHMinusOne / r;
        return combine(ratio, latent, b - half, m0, half, m1);
    }
}
