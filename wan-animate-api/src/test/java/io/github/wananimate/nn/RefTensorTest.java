package io.github.wananimate.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Sanity checks of the double-precision reference used by {@link OpsConformanceTest}. */
class RefTensorTest {

    @Test
    void erfMatchesKnownValues() {
        assertThat(RefTensor.erf(0.0)).isEqualTo(0.0);
        assertThat(RefTensor.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-15));
        assertThat(RefTensor.erf(1.0)).isCloseTo(0.8427007929497149, within(1e-15));
        assertThat(RefTensor.erf(-2.5)).isCloseTo(-0.9995930479825550, within(1e-14));
        assertThat(RefTensor.erf(3.5)).isCloseTo(0.9999992569016276, within(1e-14));
    }

    @Test
    void convMatchesHandComputedValues() {
        // x = [1, 2, 3, 4], kernel [1, -1], pad 1 before, stride 2 → [0·1 + 1·(-1), 2·1 + 3·(-1)] = [-1, -1]
        RefTensor x = new RefTensor(new long[] {1, 1, 4}, new double[] {1, 2, 3, 4});
        RefTensor w = new RefTensor(new long[] {1, 1, 2}, new double[] {1, -1});
        RefTensor y = x.conv(w, null, new int[] {2}, new int[] {1}, new int[] {0}, 1);
        assertThat(y.shape()).containsExactly(1, 1, 2);
        assertThat(y.values()).containsExactly(-1, -1);
    }

    @Test
    void matmulBroadcastsAndPermuteReorders() {
        RefTensor a = new RefTensor(new long[] {2, 1, 2}, new double[] {1, 2, 3, 4});
        RefTensor b = new RefTensor(new long[] {2, 1}, new double[] {10, 100});
        assertThat(a.matmul(b).values()).containsExactly(210, 430);
        RefTensor t = new RefTensor(new long[] {2, 3}, new double[] {0, 1, 2, 3, 4, 5});
        assertThat(t.permute(1, 0).values()).containsExactly(0, 3, 1, 4, 2, 5);
    }

    @Test
    void softmaxRowsSumToOne() {
        RefTensor s = new RefTensor(new long[] {2, 2}, new double[] {0, Math.log(3), 1000, 1000}).softmax(-1);
        assertThat(s.values()).containsExactly(new double[] {0.25, 0.75, 0.5, 0.5}, within(1e-15));
    }
}
