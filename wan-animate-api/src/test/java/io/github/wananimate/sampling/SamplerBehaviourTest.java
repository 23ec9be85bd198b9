package io.github.wananimate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Schedules and solver quirks against the numbers printed in PIPELINE.md §1.3–1.6. */
class SamplerBehaviourTest {

    @Test
    void dpmScheduleStartsAtOneAndTimestep1000() {
        FlowSchedule s = FlowSchedule.dpmSolver(20, 5.0);
        assertThat(s.sigmas()).hasSize(21);
        assertThat(s.sigma(0)).isEqualTo(1.0f);
        assertThat(s.sigma(1)).isEqualTo(0.98958331f);
        assertThat(s.sigma(19)).isEqualTo(0.20833333f);
        assertThat(s.sigma(20)).isZero();
        assertThat(s.timesteps()).startsWith(1000L, 989L, 978L, 965L, 952L, 937L, 921L).endsWith(625L, 555L,
                468L, 357L, 208L);
        assertThat(FlowSchedule.dpmSolver(4, 5.0).timesteps()).containsExactly(1000L, 937L, 833L, 625L);
    }

    @Test
    void uniPcScheduleStartsBelowOneAndTimestep999() {
        FlowSchedule s = FlowSchedule.uniPc(20, 5.0);
        assertThat(FlowSchedule.UNIPC_SIGMA_MAX).isEqualTo(0.9990000128746033);
        assertThat(s.sigma(0)).isEqualTo(0.99979985f);
        assertThat(s.timesteps()).startsWith(999L, 989L, 978L, 965L, 952L, 937L, 920L).endsWith(624L, 555L,
                468L, 356L, 208L);
        assertThat(FlowSchedule.uniPc(4, 5.0).timesteps()).containsExactly(999L, 937L, 833L, 624L);
        assertThat(FlowSchedule.uniPc(4, 5.0).sigma(3)).isEqualTo(0.62468737f);
    }

    @Test
    void firstDpmStepIsEulerAndLastStepReturnsTheDataPrediction() {
        Sampler dpm = Samplers.create("dpm++", 4, 5.0);
        float[] x = {0.5f, -1.0f, 2.0f};
        float[] v = {0.25f, 0.75f, -1.5f};
        float[] x1 = dpm.step(v, x);
        for (int k = 0; k < x.length; k++) {
            assertThat(x1[k]).isCloseTo(x[k] + (0.9375f - 1f) * v[k], within(1e-6f));
        }
        // step 1 follows σ₀ = 1: D1 = 0, so it must equal an Euler step even with a different history.
        float[] v1 = {1f, 2f, 3f};
        float[] x2 = dpm.step(v1, x1);
        for (int k = 0; k < x.length; k++) {
            assertThat(x2[k]).isCloseTo(x1[k] + (0.8333333f - 0.9375f) * v1[k], within(1e-6f));
        }
        dpm.step(v, x2);
        float[] x3 = {0.1f, 0.2f, 0.3f};
        float[] last = dpm.step(v1, x3);
        for (int k = 0; k < x.length; k++) {
            assertThat(last[k]).isEqualTo(x3[k] - 0.625f * v1[k]);
        }
        assertThatThrownBy(() -> dpm.step(v, x)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("all 4 steps");
    }

    @Test
    void dpmSecondOrderCoefficientsMatchTheTable() {
        // N = 4, step 2: x3 = 0.75·x2 + 0.375·m2 − 0.125·m1 (§1.5 table).
        Sampler dpm = Samplers.create("dpm++", 4, 5.0);
        float[] zero = {0f};
        dpm.step(zero, zero);
        float[] x = {0f};
        float[] v1 = {1f}; // m1 = x − σ1·v1 = −0.9375
        x = dpm.step(v1, x);
        float[] x2 = {0f};
        float[] v2 = {0f}; // m2 = 0
        float[] x3 = dpm.step(v2, x2);
        assertThat(x3[0]).isCloseTo(-0.125f * -0.9375f, within(1e-6f));
    }

    @Test
    void uniPcPredictorCoefficientsMatchTheTable() {
        // N = 4, step 1 predictor (c_x, c_cur, c_prev) = (0.888815, 0.121674, −0.010489); step 1 corrector p = 1
        // (k_x, k_cur, k_prev) = (0.937453, 0.031273, 0.031273). With all x̂₀ zero only c_x·k_x survives.
        Sampler unipc = Samplers.create("unipc", 4, 5.0);
        float sigma0 = unipc.sigmas()[0];
        float sigma1 = unipc.sigmas()[1];
        float[] x0 = {1f};
        float[] v0 = {1f / sigma0}; // m0 = 0
        float[] x1 = unipc.step(v0, x0);
        assertThat(x1[0]).isCloseTo(0.937453f, within(1e-6f));
        float[] v1 = {x1[0] / sigma1}; // m1 = 0
        float[] x2 = unipc.step(v1, x1);
        assertThat(x2[0]).isCloseTo(0.937453f * 0.888815f, within(2e-6f));
    }

    @Test
    void eulerUsesTheDpmSchedule() {
        Sampler euler = Samplers.create("Euler", 2, 5.0);
        assertThat(euler.name()).isEqualTo("euler");
        assertThat(euler.timesteps()).containsExactly(1000L, 833L);
        float[] x = euler.step(new float[] {1f}, new float[] {0f});
        assertThat(x[0]).isEqualTo(0.8333333f - 1f);
    }

    @Test
    void factoryRejectsUnknownNamesAndBadSettings() {
        assertThat(Samplers.names()).containsExactly("dpm++", "unipc", "euler");
        assertThat(java.util.Arrays.stream(io.github.wananimate.api.Solver.values()).map(io.github.wananimate.api.Solver::id))
                .as("the API's Solver names what the samplers implement").containsExactlyElementsOf(Samplers.names());
        assertThat(Samplers.isKnown(" UniPC ")).isTrue();
        assertThat(Samplers.isKnown("ddim")).isFalse();
        assertThatThrownBy(() -> Samplers.create("ddim", 20, 5)).hasMessageContaining("unknown solver 'ddim'");
        assertThatThrownBy(() -> Samplers.create("dpm++", 0, 5)).hasMessageContaining("steps must be in 1..1000, got 0");
        assertThatThrownBy(() -> Samplers.create("unipc", 2_000_000_000, 5)).hasMessageContaining("got 2000000000");
        assertThatThrownBy(() -> Samplers.create("unipc", 4, -1)).hasMessageContaining("shift must be")
                .hasMessageContaining("-1.0");
    }

    @Test
    void singleStepGoesStraightToTheDataPrediction() {
        for (String name : Samplers.names()) {
            Sampler s = Samplers.create(name, 1, 5.0);
            float sigma = s.sigmas()[0];
            float[] out = s.step(new float[] {2f}, new float[] {1f});
            assertThat(out[0]).as(name).isCloseTo(1f - sigma * 2f, within(1e-6f));
        }
    }
}
