package io.github.wananimate.weights.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.WeightException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The blocked, multi-threaded merge gives bit for bit the plain loop's float32 result. */
class LoraMergeTest {

    @Test
    void equalsThePlainLoopBitForBitWithOddRowsAndRankTails() {
        // 3 rows (a row pair and a lone row), rank 6 (a four-step and two single steps), width 13
        expectPlainLoop(DType.F32, 3, 13, 6, 0.75f);
        expectPlainLoop(DType.F32, 5, 9, 1, -2f);
        expectPlainLoop(DType.F32, 4, 7, 8, 1f);
    }

    @Test
    void equalsThePlainLoopOnTheParallelPathForEveryStoredWeightType() {
        // 67 x 1000 x 70 = 4.7 M multiply-adds: above the parallel threshold, 5 tasks, last one short and odd
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16, DType.F64}) {
            expectPlainLoop(dtype, 67, 1000, 70, 0.5f);
        }
    }

    @Test
    void resultIsADirectLittleEndianFloat32Tensor() {
        HostTensor merged = LoraMerge.merge(tensor(DType.BF16, "w", 4, 6), tensor(DType.F32, "a", 2, 6),
                tensor(DType.F32, "b", 4, 2), 1f, "k");
        assertThat(merged.dtype()).isEqualTo(DType.F32);
        assertThat(merged.shape()).containsExactly(4, 6);
        assertThat(merged.data().isDirect()).isTrue();
        assertThat(merged.data().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void refusesFactorsThatDoNotFitTheWeight() {
        assertThatThrownBy(() -> LoraMerge.merge(tensor(DType.F32, "w", 4, 6), tensor(DType.F32, "a", 2, 5),
                tensor(DType.F32, "b", 4, 2), 1f, "blocks.0.ffn.0.weight"))
                .isInstanceOf(WeightException.class)
                .hasMessageContaining("LoRA for 'blocks.0.ffn.0.weight': A [2, 5] / B [4, 2] do not fit the weight [4, 6]");
    }

    private static void expectPlainLoop(DType weightType, int out, int in, int rank, float scale) {
        HostTensor weight = tensor(weightType, "w", out, in);
        HostTensor down = tensor(DType.F32, "a", rank, in);
        HostTensor up = tensor(DType.F32, "b", out, rank);
        float[] w = weight.toFloatArray();
        float[] a = down.toFloatArray();
        float[] b = up.toFloatArray();
        float[] expected = new float[out * in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                float delta = 0f;
                for (int r = 0; r < rank; r++) {
                    delta += b[i * rank + r] * a[r * in + j];
                }
                expected[i * in + j] = w[i * in + j] + scale * delta;
            }
        }
        float[] actual = LoraMerge.merge(weight, down, up, scale, "w").toFloatArray();
        for (int k = 0; k < expected.length; k++) {
            if (Float.floatToRawIntBits(actual[k]) != Float.floatToRawIntBits(expected[k])) {
                throw new AssertionError(String.format("%s %dx%d rank %d: element [%d,%d] is %s, the plain loop gives %s",
                        weightType, out, in, rank, k / in, k % in, actual[k], expected[k]));
            }
        }
    }

    private static HostTensor tensor(DType dtype, String name, long... shape) {
        float[] values = ProceduralWeights.values("merge." + name, shape, 3);
        return HostTensor.of(dtype, shape, DTypeConversions.fromFloatArray(dtype, values));
    }
}
