package io.github.wananimate.sampling;

/**
 * The σ / timestep schedule of PIPELINE.md §1.2, built exactly as {@code wan/animate.py} builds it: the shift is
 * applied once (the schedulers are constructed with shift 1, so their own shift is the identity), σ is kept as
 * float32 with σ_N = 0 appended, and the model timestep is {@code int64(1000·σ)} truncated from the float64 σ.
 *
 * @param sigmas N + 1 float32 values, the last one 0
 * @param timesteps N integer model timesteps
 */
public record FlowSchedule(float[] sigmas, long[] timesteps) {

    /** {@code num_train_timesteps} of both schedulers. */
    public static final int NUM_TRAIN_TIMESTEPS = 1000;
    /**
     * The most steps a schedule has: one per training timestep. Beyond it timesteps repeat ({@code int64(1000·σ)}),
     * so more steps only cost time.
     */
    public static final int MAX_STEPS = NUM_TRAIN_TIMESTEPS;

    /**
     * σ_max of the UniPC training grid: the float32 value of {@code 1 − 0.001}, read back as a double
     * (0.9990000128746033, §1.2).
     */
    public static final double UNIPC_SIGMA_MAX = (float) (1.0 - 1.0 / NUM_TRAIN_TIMESTEPS);

    public FlowSchedule {
        if (sigmas.length != timesteps.length + 1) {
            throw new IllegalArgumentException("a schedule needs one more sigma than timesteps, got "
                    + sigmas.length + " sigmas and " + timesteps.length + " timesteps");
        }
        sigmas = sigmas.clone();
        timesteps = timesteps.clone();
    }

    /** The shift map S(b; s) = s·b / (1 + (s − 1)·b), evaluated in numpy's order in float64. */
    public static double shift(double b, double shift) {
        return shift * b / (1 + (shift - 1) * b);
    }

    /**
     * The 'dpm++' path: {@code get_sampling_sigmas(N, shift)} (b_i from {@code linspace(1, 0, N+1)}, last entry
     * dropped), then {@code retrieve_timesteps(sigmas=…)} with an identity constructor shift. σ₀ = 1, t₀ = 1000.
     */
    public static FlowSchedule dpmSolver(int steps, double shift) {
        return fromLinspace(1.0, steps, shift);
    }

    /**
     * The 'unipc' path: {@code set_timesteps(N, shift=s)} with b_i from {@code linspace(σ_max, 0, N+1)}, last
     * entry dropped, σ_max = float32(0.999). σ₀ = 0.99979985, t₀ = 999 at shift 5.
     */
    public static FlowSchedule uniPc(int steps, double shift) {
        return fromLinspace(UNIPC_SIGMA_MAX, steps, shift);
    }

    /** Number of steps N. */
    public int steps() {
        return timesteps.length;
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public long[] timesteps() {
        return timesteps.clone();
    }

    /** σ_i as float32 (i may be N, giving 0). */
    public float sigma(int i) {
        return sigmas[i];
    }

    /** Half log-SNR λ(σ) = ln(1 − σ) − ln σ of a float32 σ; −∞ at σ = 1 and +∞ at σ = 0 (§1.1). */
    public static double lambda(float sigma) {
        return Math.log(1.0 - sigma) - Math.log(sigma);
    }

    private static FlowSchedule fromLinspace(double start, int steps, double shift) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps must be in 1.." + MAX_STEPS + ", got " + steps);
        }
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new IllegalArgumentException("shift must be a finite number > 0, got " + shift);
        }
        // numpy.linspace(start, 0, N+1): y_i = i·step + start with step = (0 − start)/N; entry N is dropped.
        double step = (0.0 - start) / steps;
        float[] sigmas = new float[steps + 1];
        long[] timesteps = new long[steps];
        for (int i = 0; i < steps; i++) {
            double b = i * step + start;
            double sigma = shift(b, shift);
            sigmas[i] = (float) sigma;
            timesteps[i] = (long) (sigma * NUM_TRAIN_TIMESTEPS);
        }
        sigmas[steps] = 0f;
        return new FlowSchedule(sigmas, timesteps);
    }
}
