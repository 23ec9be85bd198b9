package io.github.wananimate.nn.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HouseholderQrTest {

    private static double[] random(int rows, int cols, long seed) {
        Random rng = new Random(seed);
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextGaussian();
        }
        return a;
    }

    private static void assertDecomposition(double[] a, int m, int n) {
        HouseholderQr qr = HouseholderQr.decompose(a, m, n);
        double[] q = qr.q();
        double[] r = qr.r();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < m; k++) {
                    dot += q[k * n + i] * q[k * n + j];
                }
                assertThat(dot).as("QᵀQ[%d,%d]", i, j).isCloseTo(i == j ? 1 : 0, within(1e-12));
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                assertThat(r[i * n + j]).as("R[%d,%d] below the diagonal", i, j).isZero();
            }
        }
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += q[row * n + k] * r[k * n + col];
                }
                assertThat(sum).as("(QR)[%d,%d]", row, col).isCloseTo(a[row * n + col], within(1e-12));
            }
        }
        // LAPACK convention: R[k,k] = β = −sign(α)·‖·‖, i.e. its sign is opposite to the pivot of the working
        // matrix. For column 0 the pivot is A[0,0] itself.
        assertThat(Math.signum(r[0])).isEqualTo(a[0] >= 0 ? -1.0 : 1.0);
        double norm0 = 0;
        for (int k = 0; k < m; k++) {
            norm0 += a[k * n] * a[k * n];
        }
        assertThat(Math.abs(r[0])).isCloseTo(Math.sqrt(norm0), within(1e-12));
    }

    @Test
    void orthonormalAndReconstructs() {
        assertDecomposition(random(512, 20, 1), 512, 20);
        assertDecomposition(random(7, 7, 2), 7, 7);
        assertDecomposition(random(9, 3, 3), 9, 3);
    }

    @Test
    void followsLapackSignsOnASmallExample() {
        // numpy.linalg.qr (LAPACK) of [[3, 1], [4, 2]]: Q = [[-0.6, -0.8], [-0.8, 0.6]], R = [[-5, -2.2], [0, 0.4]].
        HouseholderQr qr = HouseholderQr.decompose(new double[] {3, 1, 4, 2}, 2, 2);
        assertThat(qr.r()).containsExactly(new double[] {-5, -2.2, 0, 0.4}, within(1e-12));
        assertThat(qr.q()).containsExactly(new double[] {-0.6, -0.8, -0.8, 0.6}, within(1e-12));
    }

    @Test
    void zeroSubColumnIsNoReflection() {
        // Already upper triangular: LAPACK reflects nothing (τ = 0, β = α), so the positive pivot 3 stays
        // positive; numpy.linalg.qr gives Q = I[:, :2], R = [[-2, 1], [0, 3]].
        HouseholderQr qr = HouseholderQr.decompose(new double[] {-2, 1, 0, 3, 0, 0}, 3, 2);
        assertThat(qr.r()).containsExactly(new double[] {-2, 1, 0, 3}, within(1e-12));
        assertThat(qr.q()).containsExactly(new double[] {1, 0, 0, 1, 0, 0}, within(1e-12));
    }

    @Test
    void reproducesTorchLinalgQrOfTheFixtureDirection() {
        try (ProceduralWeights weights = GoldenFiles.weights("motion_encoder")) {
            String key = "motion_encoder.dec.direction.weight";
            float[] w = weights.get(key).toFloatArray();
            double[] shifted = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                // motion_encoder.* weights are plain u (PROCEDURAL.md)
                assertThat(w[i]).isEqualTo((float) Procedural.uniform(key, i, 0));
                shifted[i] = w[i] + 1e-8;
            }
            double[] q = HouseholderQr.decompose(shifted, 512, 20).q();
            float[] golden = GoldenFiles.output("motion_encoder", "direction_q").toFloatArray();
            double maxError = 0;
            for (int i = 0; i < q.length; i++) {
                maxError = Math.max(maxError, Math.abs(q[i] - golden[i]));
            }
            assertThat(maxError).isLessThan(1e-5);
        }
    }
}
