package io.github.wananimate.sampling;

/**
 * Flow UniPC, 'unipc', as {@code FlowUniPCMultistepScheduler} runs with the settings {@code animate.py} uses
 * (PIPELINE.md §1.4, §1.6): predict_x0, {@code bh2}, order 2, lower order at the end, corrector on every step
 * but the first.
 *
 * <p>Per step i: x̂₀ from the uncorrected sample; the corrector UniC (order = the previous predictor's order)
 * replaces the sample using the new x̂₀ without re-evaluating the model; the predictor UniP then runs with
 * order min(2, N − i, i + 1) from the corrected sample. At the last step the predictor is first order to σ = 0
 * and returns x̂₀ of the uncorrected sample, so the corrector's work there is discarded (faithful, §7.4).
 * Coefficients are computed in float64 from the float32 σ; updates are rounded to float32.
 */
public final class FlowUniPcSampler extends AbstractFlowSampler {

    public static final String NAME = "unipc";

    /** x̂₀ of steps i−1 and i−2 (null until they exist). */
    private float[] previous;
    private float[] beforePrevious;
    /** The corrected sample the previous predictor started from ({@code last_sample}). */
    private float[] lastSample;
    /** The order the previous predictor used ({@code this_order}). */
    private int lastOrder;

    public FlowUniPcSampler(FlowSchedule schedule) {
        super(schedule);
    }

    /** The schedule {@code animate.py} builds for 'unipc' (§1.2). */
    public static FlowUniPcSampler create(int steps, double shift) {
        return new FlowUniPcSampler(FlowSchedule.uniPc(steps, shift));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected float[] advance(int i, float[] modelOutput, float[] latent) {
        float[] current = dataPrediction(schedule.sigma(i), modelOutput, latent);
        float[] sample = i > 0 ? correct(i, current) : latent;

        beforePrevious = previous;
        previous = current;
        int order = Math.min(2, Math.min(steps() - i, i + 1));
        lastSample = sample;
        lastOrder = order;
        return predict(i, order, sample, current, beforePrevious);
    }

    /** UniP-bh2 from σ_i to σ_{i+1}; {@code mPrev} is x̂₀ of step i−1 (used when order = 2). */
    private float[] predict(int i, int order, float[] sample, float[] m0, float[] mPrev) {
        float sigmaS = schedule.sigma(i);
        float sigmaT = schedule.sigma(i + 1);
        if (sigmaT == 0f) {
            // λ_t = +∞: B = −1 and σ_t/σ_s = 0, so x_{i+1} = x̂₀ (order is 1 here by lower_order_final).
            return m0.clone();
        }
        double lambdaS = FlowSchedule.lambda(sigmaS);
        double h = FlowSchedule.lambda(sigmaT) - lambdaS;
        double alphaT = 1.0 - sigmaT;
        double bh = Math.expm1(-h);
        double ratio = (double) sigmaT / sigmaS;
        if (order == 1) {
            return combine(ratio, sample, -alphaT * bh, m0);
        }
        // rk = (λ_{i−1} − λ_s)/h < 0, D1 = (m_{i−1} − m_i)/rk, ρ = ½ hard-coded for order 2.
        double rk = (FlowSchedule.lambda(schedule.sigma(i - 1)) - lambdaS) / h;
        double d = 0.5 * alphaT * bh / rk;
        return combine(ratio, sample, -alphaT * bh + d, m0, -d, mPrev);
    }

    /**
     * UniC-bh2 at step i: corrects the sample that the step i−1 predictor produced, from {@code lastSample} at
     * σ_{i−1}, with x̂₀ of steps i, i−1 and (order 2) i−2. Called before the history is shifted.
     */
    private float[] correct(int i, float[] mCurrent) {
        float sigmaC = schedule.sigma(i);
        float sigmaP = schedule.sigma(i - 1);
        double lambdaP = FlowSchedule.lambda(sigmaP);
        double h = FlowSchedule.lambda(sigmaC) - lambdaP;
        double alphaC = 1.0 - sigmaC;
        double hh = -h;
        double bh = Math.expm1(hh);
        double ratio = (double) sigmaC / sigmaP;
        float[] m0 = previous;
        if (lastOrder == 1) {
            // x^c = a·x − α·B·m0 − ½·α·B·(m_t − m0)
            double half = 0.5 * alphaC * bh;
            return combine(ratio, lastSample, -alphaC * bh + half, m0, -half, mCurrent);
        }
        float[] m1 = beforePrevious;
        double rk = (FlowSchedule.lambda(schedule.sigma(i - 2)) - lambdaP) / h;
        // b_k = k!·φ_k/B with φ_1 = (e^{hh} − 1)/hh − 1, φ_2 = φ_1/hh − ½; R = [[1, 1], [rk, 1]].
        double phi1 = bh / hh - 1.0;
        double b1 = phi1 / bh;
        double b2 = 2.0 * (phi1 / hh - 0.5) / bh;
        double rho0 = (b1 - b2) / (1.0 - rk);
        double rho1 = b1 - rho0;
        // x^c = a·x − α·B·m0 − α·B·(ρ0·(m1 − m0)/rk + ρ1·(m_t − m0))
        double k = alphaC * bh;
        double onM1 = -k * rho0 / rk;
        double onCurrent = -k * rho1;
        double onM0 = -k + k * rho0 / rk + k * rho1;
        return combine(ratio, lastSample, onM0, m0, onM1, m1, onCurrent, mCurrent);
    }
}
