package io.github.wananimate.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * Conformance of a backend's {@link Ops} implementation against a plain-Java double-precision reference
 * ({@link RefTensor}). A backend module subclasses this and names its provider; every op is run through a
 * {@link LambdaNetwork} loaded on the backend, exactly as a real network would be.
 *
 * <p>Besides the values, every test checks that the static shape reported by the returned {@link Tensor}
 * equals the shape of the computed result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OpsConformanceTest {

    /** Relative tolerance (with an absolute floor of the same size) for float32 results against double. */
    protected static final double TOLERANCE = 1e-5;

    private Backend backend;
    private Random random;

    /** The provider name passed to {@link Backends#byName}. */
    protected abstract String backendName();

    protected BackendOptions backendOptions() {
        return BackendOptions.cpu();
    }

    @BeforeAll
    void openBackend() {
        backend = Backends.byName(backendName()).open(backendOptions());
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    void seedRandom(TestInfo info) {
        random = new Random(info.getDisplayName().hashCode());
    }

    protected Backend backend() {
        return backend;
    }

    // ================================================================== sources

    @Test
    void parameterReadsBoundWeightsAsFloat32() {
        float[] w16 = {0.25f, -1.5f, 3.0f, 0.125f, -0.0625f, 8.0f};
        HostTensor bf16Weight = bf16(new long[] {2, 3}, w16);
        HostTensor f32Weight = uniform(-1, 1, 3);
        MapParameterSource weights = new MapParameterSource(Map.of("block.w", bf16Weight, "block.b", f32Weight));
        Network net = new LambdaNetwork("parameters",
                List.of(ParameterSpec.required("block.w", 2, 3), ParameterSpec.required("block.b", 3)),
                (ops, in) -> Map.of("y", ops.add(ops.add(in.get("x"), ops.parameter("block.w")),
                        ops.parameter("block.b"))));
        HostTensor x = uniform(-1, 1, 2, 3);

        HostTensor y = runNetwork(net, weights, inputs("x", x)).get("y");

        RefTensor expected = ref(x).add(ref(bf16Weight)).add(ref(f32Weight));
        assertClose("parameter", y, expected, TOLERANCE);
    }

    @Test
    void castRoundsToNearestEvenAndBack() {
        // ties of bf16 (2^-8 apart around 1) and of fp16 (2^-11) go to the even neighbour
        float[] values = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 1f + 0x1p-11f, -2.7182817f, 3.1415927f, 1e-3f, 1000.25f,
            -65504f};
        HostTensor x = HostTensor.ofFloats(new long[] {values.length}, values);
        for (DType dtype : List.of(DType.BF16, DType.F16)) {
            HostTensor y = apply(inputs("x", x), (ops, in) -> {
                Tensor low = ops.cast(in.get("x"), dtype);
                assertThat(low.dtype()).as("dtype after cast").isEqualTo(dtype);
                return ops.cast(low, DType.F32);
            });
            float[] got = y.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                float expected = dtype == DType.BF16
                        ? DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(values[i]))
                        : DTypeConversions.f16ToFloat(DTypeConversions.floatToF16(values[i]));
                assertThat(got[i]).as("%s of %s", dtype, values[i]).isEqualTo(expected);
            }
        }
    }

    @Test
    void reducedParameterAndLinearRoundLikeALowPrecisionKernel() {
        HostTensor w = uniform(-1, 1, 5, 8);
        HostTensor b = uniform(-1, 1, 5);
        HostTensor x = uniform(-1, 1, 3, 8);
        for (DType dtype : List.of(DType.BF16, DType.F16)) {
            MapParameterSource weights = new MapParameterSource(Map.of("w", w, "b", b));
            ParameterSpec ws = ParameterSpec.required("w", 5, 8).storedAs(dtype);
            ParameterSpec bs = ParameterSpec.required("b", 5).storedAs(dtype);
            Network net = new LambdaNetwork("reduced_linear", List.of(ws, bs), (ops, in) -> {
                Tensor weight = ops.parameter(ws);
                assertThat(weight.dtype()).as("stored dtype").isEqualTo(dtype);
                Tensor y = ops.linear(ops.cast(in.get("x"), dtype), weight, ops.parameter(bs));
                assertThat(y.dtype()).as("linear result dtype").isEqualTo(dtype);
                return Map.of("y", ops.cast(y, DType.F32));
            });
            HostTensor y = runNetwork(net, weights, inputs("x", x)).get("y");
            // float32-accumulated product of the rounded operands, rounded once: within half a unit in the last
            // place of the reduced dtype (relative 2^-9 for bf16, 2^-12 for fp16) of the exact value
            RefTensor expected = round(ref(x), dtype).matmul(round(ref(w), dtype).permute(1, 0))
                    .add(round(ref(b), dtype));
            assertClose("linear in " + dtype, y, expected, dtype == DType.BF16 ? 0x1p-8 : 0x1p-11);
        }
    }

    private static RefTensor round(RefTensor t, DType dtype) {
        return t.map(v -> dtype == DType.BF16 ? DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16((float) v))
                : DTypeConversions.f16ToFloat(DTypeConversions.floatToF16((float) v)));
    }

    @Test
    void constantConvertsToFloat32() {
        double[] table = {0.5, -2.0, 1.0 / 3.0, 7.25, -0.1, 1e-3};
        ByteBuffer bytes = ByteBuffer.allocate(table.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : table) {
            bytes.putDouble(d);
        }
        bytes.flip();
        HostTensor constant = HostTensor.of(DType.F64, new long[] {3, 2}, bytes);
        HostTensor x = uniform(-1, 1, 3, 2);

        HostTensor y = apply(inputs("x", x), (ops, in) -> ops.mul(in.get("x"), ops.constant(constant)));

        assertClose("constant", y, ref(x).mul(ref(constant)), TOLERANCE);
    }

    // ================================================================== element-wise

    @Test
    void addBroadcastsBothWays() {
        HostTensor a = uniform(-1, 1, 2, 3, 4);
        HostTensor b = uniform(-1, 1, 3, 1);
        HostTensor c = uniform(-1, 1, 4);
        assertClose("add", apply(inputs("a", a, "b", b), (ops, in) -> ops.add(in.get("a"), in.get("b"))),
                ref(a).add(ref(b)), TOLERANCE);
        assertClose("add", apply(inputs("c", c, "a", a), (ops, in) -> ops.add(in.get("c"), in.get("a"))),
                ref(c).add(ref(a)), TOLERANCE);
        HostTensor col = uniform(-1, 1, 3, 1);
        HostTensor row = uniform(-1, 1, 1, 5);
        assertClose("add", apply(inputs("a", col, "b", row), (ops, in) -> ops.add(in.get("a"), in.get("b"))),
                ref(col).add(ref(row)), TOLERANCE);
    }

    @Test
    void subBroadcasts() {
        HostTensor a = uniform(-1, 1, 2, 1, 4);
        HostTensor b = uniform(-1, 1, 3, 4);
        assertClose("sub", apply(inputs("a", a, "b", b), (ops, in) -> ops.sub(in.get("a"), in.get("b"))),
                ref(a).sub(ref(b)), TOLERANCE);
    }

    @Test
    void mulBroadcasts() {
        HostTensor a = uniform(-1, 1, 2, 3, 4);
        HostTensor b = uniform(-1, 1, 2, 1, 1);
        assertClose("mul", apply(inputs("a", a, "b", b), (ops, in) -> ops.mul(in.get("a"), in.get("b"))),
                ref(a).mul(ref(b)), TOLERANCE);
        assertClose("mul", apply(inputs("a", a, "b", b), (ops, in) -> ops.mul(in.get("b"), in.get("a"))),
                ref(b).mul(ref(a)), TOLERANCE);
    }

    @Test
    void divBroadcasts() {
        HostTensor a = uniform(-1, 1, 2, 3, 4);
        HostTensor b = uniform(0.5, 2, 4);
        assertClose("div", apply(inputs("a", a, "b", b), (ops, in) -> ops.div(in.get("a"), in.get("b"))),
                ref(a).div(ref(b)), TOLERANCE);
    }

    @Test
    void addScalar() {
        checkUnary("add(scalar)", uniform(-1, 1, 3, 5), (ops, x) -> ops.add(x, 2.5), v -> v + 2.5);
    }

    @Test
    void mulScalar() {
        checkUnary("mul(scalar)", uniform(-1, 1, 3, 5), (ops, x) -> ops.mul(x, -0.75), v -> v * -0.75);
    }

    @Test
    void maximumWithFloor() {
        checkUnary("maximum", uniform(-1, 1, 4, 6), (ops, x) -> ops.maximum(x, 0.1), v -> Math.max(v, 0.1));
    }

    @Test
    void clamp() {
        checkUnary("clamp", uniform(-2, 2, 4, 6), (ops, x) -> ops.clamp(x, -0.5, 0.75),
                v -> Math.min(Math.max(v, -0.5), 0.75));
    }

    @Test
    void sqrt() {
        checkUnary("sqrt", uniform(0.01, 4, 3, 7), Ops::sqrt, Math::sqrt);
    }

    @Test
    void tanh() {
        checkUnary("tanh", uniform(-4, 4, 3, 7), Ops::tanh, Math::tanh);
    }

    @Test
    void sigmoid() {
        checkUnary("sigmoid", uniform(-8, 8, 3, 7), Ops::sigmoid, v -> 1 / (1 + Math.exp(-v)));
    }

    @Test
    void erf() {
        checkUnary("erf", uniform(-4, 4, 5, 9), Ops::erf, RefTensor::erf);
    }

    @Test
    void leakyRelu() {
        checkUnary("leakyRelu", uniform(-2, 2, 5, 9), (ops, x) -> ops.leakyRelu(x, 0.2), v -> v < 0 ? 0.2 * v : v);
    }

    @Test
    void square() {
        checkUnary("square", uniform(-2, 2, 5, 3), Ops::square, v -> v * v);
    }

    @Test
    void silu() {
        checkUnary("silu", uniform(-6, 6, 5, 9), Ops::silu, v -> v / (1 + Math.exp(-v)));
    }

    @Test
    void geluErf() {
        checkUnary("geluErf", uniform(-4, 4, 5, 9), Ops::geluErf,
                v -> 0.5 * v * (1 + RefTensor.erf(v / Math.sqrt(2))));
    }

    @Test
    void geluTanh() {
        checkUnary("geluTanh", uniform(-4, 4, 5, 9), Ops::geluTanh,
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
    }

    // ================================================================== reductions and normalisation

    @Test
    void meanOverAxis() {
        HostTensor x = uniform(-1, 1, 2, 3, 5);
        assertClose("mean", apply(inputs("x", x), (ops, in) -> ops.mean(in.get("x"), -1, false)),
                ref(x).mean(-1, false), TOLERANCE);
        assertClose("mean", apply(inputs("x", x), (ops, in) -> ops.mean(in.get("x"), 1, true)),
                ref(x).mean(1, true), TOLERANCE);
    }

    @Test
    void sumOverAxis() {
        HostTensor x = uniform(-1, 1, 2, 3, 5);
        assertClose("sum", apply(inputs("x", x), (ops, in) -> ops.sum(in.get("x"), 0, false)),
                ref(x).sum(0, false), TOLERANCE);
        assertClose("sum", apply(inputs("x", x), (ops, in) -> ops.sum(in.get("x"), -2, true)),
                ref(x).sum(-2, true), TOLERANCE);
    }

    @Test
    void softmaxIsStableAndHonoursAxis() {
        HostTensor x = uniform(-30, 30, 2, 4, 6);
        assertClose("softmax", apply(inputs("x", x), (ops, in) -> ops.softmax(in.get("x"), -1)),
                ref(x).softmax(-1), TOLERANCE);
        assertClose("softmax", apply(inputs("x", x), (ops, in) -> ops.softmax(in.get("x"), 1)),
                ref(x).softmax(1), TOLERANCE);
    }

    @Test
    void layerNormWithAndWithoutAffine() {
        HostTensor x = uniform(-3, 3, 2, 3, 8);
        HostTensor w = uniform(0.5, 1.5, 8);
        HostTensor b = uniform(-1, 1, 8);
        assertClose("layerNorm", apply(inputs("x", x, "w", w, "b", b),
                        (ops, in) -> ops.layerNorm(in.get("x"), in.get("w"), in.get("b"), 1e-6)),
                ref(x).layerNorm(ref(w), ref(b), 1e-6), TOLERANCE);
        assertClose("layerNorm", apply(inputs("x", x), (ops, in) -> ops.layerNorm(in.get("x"), null, null, 1e-5)),
                ref(x).layerNorm(null, null, 1e-5), TOLERANCE);
    }

    @Test
    void rmsNormWithAndWithoutWeight() {
        HostTensor x = uniform(-3, 3, 2, 3, 8);
        HostTensor w = uniform(0.5, 1.5, 8);
        assertClose("rmsNorm", apply(inputs("x", x, "w", w), (ops, in) -> ops.rmsNorm(in.get("x"), in.get("w"), 1e-6)),
                ref(x).rmsNorm(ref(w), 1e-6), TOLERANCE);
        assertClose("rmsNorm", apply(inputs("x", x), (ops, in) -> ops.rmsNorm(in.get("x"), null, 1e-5)),
                ref(x).rmsNorm(null, 1e-5), TOLERANCE);
    }

    // ================================================================== linear algebra

    @Test
    void matmulTwoDimensional() {
        HostTensor a = uniform(-1, 1, 3, 4);
        HostTensor b = uniform(-1, 1, 4, 5);
        assertClose("matmul", apply(inputs("a", a, "b", b), (ops, in) -> ops.matmul(in.get("a"), in.get("b"))),
                ref(a).matmul(ref(b)), TOLERANCE);
    }

    @Test
    void matmulBroadcastsBatchAxes() {
        HostTensor a = uniform(-1, 1, 2, 1, 3, 4);
        HostTensor b = uniform(-1, 1, 3, 4, 5);
        assertClose("matmul", apply(inputs("a", a, "b", b), (ops, in) -> ops.matmul(in.get("a"), in.get("b"))),
                ref(a).matmul(ref(b)), TOLERANCE);
    }

    @Test
    void linearWithAndWithoutBias() {
        HostTensor x = uniform(-1, 1, 2, 3, 4);
        HostTensor w = uniform(-1, 1, 5, 4);
        HostTensor b = uniform(-1, 1, 5);
        assertClose("linear", apply(inputs("x", x, "w", w, "b", b),
                        (ops, in) -> ops.linear(in.get("x"), in.get("w"), in.get("b"))),
                ref(x).linear(ref(w), ref(b)), TOLERANCE);
        assertClose("linear", apply(inputs("x", x, "w", w), (ops, in) -> ops.linear(in.get("x"), in.get("w"), null)),
                ref(x).linear(ref(w), null), TOLERANCE);
    }

    @Test
    void conv1dWithStrideAndAsymmetricPadding() {
        checkConv(new long[] {2, 3, 9}, new long[] {4, 3, 3}, true, new int[] {2}, new int[] {2}, new int[] {1}, 1);
    }

    @Test
    void conv1dWithoutPadding() {
        checkConv(new long[] {1, 2, 6}, new long[] {3, 2, 1}, false, new int[] {1}, new int[] {0}, new int[] {0}, 1);
    }

    @Test
    void conv2dDepthwiseWithStrideAndAsymmetricPadding() {
        checkConv(new long[] {1, 4, 6, 5}, new long[] {4, 1, 3, 3}, true,
                new int[] {2, 1}, new int[] {1, 0}, new int[] {0, 2}, 4);
    }

    @Test
    void conv2dGrouped() {
        checkConv(new long[] {2, 4, 5, 5}, new long[] {6, 2, 2, 3}, true,
                new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2);
    }

    @Test
    void conv2dSymmetricPadding() {
        checkConv(new long[] {1, 3, 7, 6}, new long[] {2, 3, 3, 3}, true,
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    }

    @Test
    void conv3dCausalPaddingWithSpatialStride() {
        checkConv(new long[] {1, 2, 4, 5, 5}, new long[] {3, 2, 3, 3, 3}, false,
                new int[] {1, 2, 2}, new int[] {2, 1, 1}, new int[] {0, 1, 1}, 1);
    }

    @Test
    void conv3dTemporalStrideWithBias() {
        checkConv(new long[] {2, 3, 5, 4, 4}, new long[] {3, 3, 3, 1, 1}, true,
                new int[] {2, 1, 1}, new int[] {0, 0, 0}, new int[] {0, 0, 0}, 1);
    }

    @Test
    void conv3dOfOneSampleWithoutDepthPadding() {
        // the shape the ONNX recorder runs as a 2-D convolution over the output frames (depthAsBatch)
        checkConv(new long[] {1, 3, 5, 6, 5}, new long[] {4, 3, 3, 3, 3}, true,
                new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {0, 1, 1}, 1);
        checkConv(new long[] {1, 3, 4, 6, 5}, new long[] {2, 3, 1, 3, 3}, true,
                new int[] {1, 2, 2}, new int[] {0, 0, 0}, new int[] {0, 1, 1}, 1);
    }

    @Test
    void conv3dWithOneOutputFrame() {
        // a causal conv's input of one frame after its two history frames, and a depth-1 kernel over one frame: the
        // shapes the ONNX recorder runs as 2-D convolutions over frame views, without transposing (oneFrame)
        checkConv(new long[] {1, 3, 3, 6, 5}, new long[] {4, 3, 3, 3, 3}, true,
                new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {0, 1, 1}, 1);
        checkConv(new long[] {1, 3, 1, 6, 5}, new long[] {2, 3, 1, 3, 3}, false,
                new int[] {1, 2, 2}, new int[] {0, 0, 1}, new int[] {0, 1, 0}, 1);
    }

    @Test
    void conv3dOnEitherSideOfAnInputDepthWhereABackendMayChangeKernels() {
        // N·C·D·H = 15600 and 20800: PyTorch's CPU conv3d takes oneDNN above 20480, the DJL backend 2-D convs below
        checkConv(new long[] {1, 2, 3, 2600, 3}, new long[] {3, 2, 3, 3, 3}, true,
                new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {0, 1, 1}, 1);
        checkConv(new long[] {1, 2, 4, 2600, 3}, new long[] {3, 2, 3, 3, 3}, true,
                new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {0, 1, 1}, 1);
    }

    @Test
    void l2Normalize() {
        HostTensor x = uniform(-2, 2, 2, 5, 3);
        RefTensor r = ref(x);
        RefTensor norm = r.mul(r).sum(1, true).map(Math::sqrt).map(v -> Math.max(v, 1e-12));
        assertClose("l2Normalize", apply(inputs("x", x), (ops, in) -> ops.l2Normalize(in.get("x"), 1, 1e-12)),
                r.div(norm), TOLERANCE);
    }

    @Test
    void l2NormalizeOverTheChannelsOfAVideoWithAZeroPixel() {
        long[] shape = {1, 6, 2, 3, 4};
        float[] v = uniform(-2, 2, shape).toFloatArray();
        for (int c = 0; c < 6; c++) {
            v[c * 24 + 23] = 0f; // pixel (frame 1, row 2, column 3) is zero in every channel: its norm is eps
        }
        HostTensor x = HostTensor.ofFloats(shape, v);
        RefTensor r = ref(x);
        RefTensor norm = r.mul(r).sum(1, true).map(Math::sqrt).map(n -> Math.max(n, 1e-12));
        assertClose("l2Normalize", apply(inputs("x", x), (ops, in) -> ops.l2Normalize(in.get("x"), 1, 1e-12)),
                r.div(norm), TOLERANCE);
    }

    @Test
    void attentionWithoutBias() {
        checkAttention(new long[] {2, 3, 5, 4}, new long[] {2, 3, 7, 4}, new long[] {2, 3, 7, 6}, null, 0.5);
    }

    @Test
    void attentionWithBroadcastBiases() {
        checkAttention(new long[] {2, 3, 5, 4}, new long[] {2, 3, 7, 4}, new long[] {2, 3, 7, 6},
                new long[] {1, 1, 5, 7}, 0.5);
        checkAttention(new long[] {2, 3, 5, 4}, new long[] {2, 3, 7, 4}, new long[] {2, 3, 7, 6},
                new long[] {2, 1, 1, 7}, 0.3);
        checkAttention(new long[] {2, 3, 5, 4}, new long[] {2, 3, 7, 4}, new long[] {2, 3, 7, 6},
                new long[] {2, 3, 5, 7}, 1.0);
        checkAttention(new long[] {1, 2, 6, 8}, new long[] {1, 2, 6, 8}, new long[] {1, 2, 6, 8},
                new long[] {6, 6}, 1 / Math.sqrt(8));
    }

    @Test
    void attentionWithManyQueries() {
        checkAttention(new long[] {1, 2, 300, 8}, new long[] {1, 2, 17, 8}, new long[] {1, 2, 17, 3},
                new long[] {1, 1, 300, 17}, 1 / Math.sqrt(8));
    }

    // ================================================================== layout

    @Test
    void reshapeInfersMinusOne() {
        HostTensor x = uniform(-1, 1, 2, 3, 4);
        assertClose("reshape", apply(inputs("x", x), (ops, in) -> ops.reshape(in.get("x"), 2, -1, 2)),
                ref(x).reshape(2, 6, 2), TOLERANCE);
        assertClose("reshape", apply(inputs("x", x), (ops, in) -> ops.reshape(in.get("x"), 24)),
                ref(x).reshape(24), TOLERANCE);
    }

    @Test
    void permuteAxes() {
        HostTensor x = uniform(-1, 1, 2, 3, 4, 5);
        assertClose("permute", apply(inputs("x", x), (ops, in) -> ops.permute(in.get("x"), 0, 2, 3, 1)),
                ref(x).permute(0, 2, 3, 1), TOLERANCE);
        // a permuted result feeding a reshape must see the permuted order (non-contiguous input)
        assertClose("permute+reshape", apply(inputs("x", x),
                        (ops, in) -> ops.reshape(ops.permute(in.get("x"), 3, 1, 0, 2), 5, -1)),
                ref(x).permute(3, 1, 0, 2).reshape(5, -1), TOLERANCE);
    }

    @Test
    void sliceWithNegativeAxis() {
        HostTensor x = uniform(-1, 1, 2, 5, 6);
        assertClose("slice", apply(inputs("x", x), (ops, in) -> ops.slice(in.get("x"), -1, 2, 5)),
                ref(x).slice(-1, 2, 5), TOLERANCE);
        assertClose("slice", apply(inputs("x", x), (ops, in) -> ops.slice(in.get("x"), 1, 0, 1)),
                ref(x).slice(1, 0, 1), TOLERANCE);
    }

    @Test
    void concatAlongAxis() {
        HostTensor a = uniform(-1, 1, 2, 1, 4);
        HostTensor b = uniform(-1, 1, 2, 3, 4);
        HostTensor c = uniform(-1, 1, 2, 2, 4);
        assertClose("concat", apply(inputs("a", a, "b", b, "c", c),
                        (ops, in) -> ops.concat(1, List.of(in.get("a"), in.get("b"), in.get("c")))),
                RefTensor.concat(1, List.of(ref(a), ref(b), ref(c))), TOLERANCE);
        HostTensor d = uniform(-1, 1, 2, 3, 2);
        assertClose("concat", apply(inputs("b", b, "d", d), (ops, in) -> ops.concat(-1, in.get("b"), in.get("d"))),
                RefTensor.concat(-1, List.of(ref(b), ref(d))), TOLERANCE);
    }

    @Test
    void padWithConstant() {
        HostTensor x = uniform(-1, 1, 2, 3, 4);
        long[] before = {0, 2, 1};
        long[] after = {1, 0, 3};
        assertClose("pad", apply(inputs("x", x), (ops, in) -> ops.pad(in.get("x"), before, after, 0.5)),
                ref(x).pad(before, after, 0.5), TOLERANCE);
        assertClose("pad", apply(inputs("x", x), (ops, in) -> ops.pad(in.get("x"), new long[3], new long[] {0, 0, 2}, 0)),
                ref(x).pad(new long[3], new long[] {0, 0, 2}, 0), TOLERANCE);
    }

    @Test
    void broadcastToLargerShape() {
        HostTensor x = uniform(-1, 1, 3, 1);
        assertClose("broadcastTo", apply(inputs("x", x), (ops, in) -> ops.broadcastTo(in.get("x"), 2, 3, 4)),
                ref(x).broadcastTo(2, 3, 4), TOLERANCE);
        // a broadcast result used by a following op
        assertClose("broadcastTo+add", apply(inputs("x", x),
                        (ops, in) -> ops.add(ops.broadcastTo(in.get("x"), 3, 4), 1.0)),
                ref(x).broadcastTo(3, 4).map(v -> v + 1), TOLERANCE);
    }

    @Test
    void zerosLikeIsZeroWhateverTheInputHolds() {
        HostTensor x = HostTensor.ofFloats(new long[] {2, 3},
                new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 5});
        HostTensor zeros = apply(inputs("x", x), (ops, in) -> ops.add(ops.zerosLike(in.get("x")), 0.0));
        assertThat(zeros.shape()).containsExactly(2, 3);
        assertThat(zeros.toFloatArray()).containsOnly(0f);
    }

    // ================================================================== memory scoping

    @Test
    void scopedKeepsResultAndOuterTensors() {
        HostTensor x = uniform(-1, 1, 3, 4);
        HostTensor w = uniform(-1, 1, 4);
        MapParameterSource weights = new MapParameterSource(Map.of("w", w));
        Network net = new LambdaNetwork("scoped", List.of(ParameterSpec.required("w", 4)), (ops, in) -> {
            Tensor input = in.get("x");
            Tensor outer = ops.mul(input, 2.0);
            Tensor result = input;
            for (int block = 0; block < 3; block++) {
                Tensor previous = result;
                result = ops.scoped(() -> {
                    Tensor a = ops.add(previous, ops.parameter("w"));
                    Tensor inner = ops.scoped(() -> ops.mul(ops.tanh(a), outer));
                    return ops.add(inner, ops.sub(a, outer));
                });
            }
            Tensor passthrough = ops.scoped(() -> outer);
            Tensor param = ops.scoped(() -> ops.parameter("w"));
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("y", ops.add(ops.add(result, passthrough), param));
            out.put("outer", outer);
            return out;
        });

        Map<String, HostTensor> result = runNetwork(net, weights, inputs("x", x));

        RefTensor outer = ref(x).map(v -> v * 2);
        RefTensor expected = ref(x);
        for (int block = 0; block < 3; block++) {
            RefTensor a = expected.add(ref(w));
            expected = a.map(Math::tanh).mul(outer).add(a.sub(outer));
        }
        expected = expected.add(outer).add(ref(w));
        assertClose("scoped", result.get("y"), expected, TOLERANCE);
        assertClose("scoped", result.get("outer"), outer, TOLERANCE);
    }

    @Test
    void scopedAllKeepsEveryResult() {
        HostTensor x = uniform(-1, 1, 2, 3);
        Network net = new LambdaNetwork("scoped_all", List.of(), (ops, in) -> {
            Tensor input = in.get("x");
            List<Tensor> both = ops.scopedAll(() -> {
                Tensor doubled = ops.mul(input, 2.0);
                return List.of(ops.add(doubled, 1.0), ops.tanh(doubled), input);
            });
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("sum", ops.add(both.get(0), both.get(1)));
            out.put("passthrough", both.get(2));
            return out;
        });

        Map<String, HostTensor> result = runNetwork(net, MapParameterSource.empty(), inputs("x", x));

        RefTensor doubled = ref(x).map(v -> 2 * v);
        assertClose("scopedAll", result.get("sum"), doubled.map(v -> v + 1).add(doubled.map(Math::tanh)), TOLERANCE);
        assertClose("scopedAll", result.get("passthrough"), ref(x), TOLERANCE);
    }

    @Test
    void chainThreadsOneTensorThroughSteps() {
        HostTensor x = uniform(-1, 1, 3, 4);
        HostTensor w = uniform(-0.5, 0.5, 5, 4);
        MapParameterSource weights = new MapParameterSource(Map.of("w", w));
        Network net = new LambdaNetwork("chain", List.of(ParameterSpec.required("w", 5, 4)), (ops, in) -> {
            Tensor input = in.get("x");
            Tensor shift = ops.mul(input, 0.5);
            Tensor result = ops.chain(input, 6, (i, h) -> {
                if (i == 2) {
                    return h; // a step may hand its input back unchanged
                }
                Tensor row = ops.slice(ops.parameter("w"), 0, i % 5, i % 5 + 1);
                return ops.add(ops.tanh(ops.add(h, row)), shift);
            });
            Tensor none = ops.chain(shift, 0, (i, h) -> ops.mul(h, 3.0));
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("y", result);
            out.put("shift", ops.add(shift, none));
            out.put("input", input);
            return out;
        });

        Map<String, HostTensor> result = runNetwork(net, weights, inputs("x", x));

        RefTensor shift = ref(x).map(v -> v * 0.5);
        RefTensor expected = ref(x);
        for (int i = 0; i < 6; i++) {
            if (i != 2) {
                expected = expected.add(ref(w).slice(0, i % 5, i % 5 + 1)).map(Math::tanh).add(shift);
            }
        }
        assertClose("chain", result.get("y"), expected, TOLERANCE);
        assertClose("chain", result.get("shift"), shift.map(v -> 2 * v), TOLERANCE);
        assertClose("chain", result.get("input"), ref(x), TOLERANCE);
    }

    // ================================================================== networks as a whole

    @Test
    void outputsKeepNetworkOrderAndInputsAreConverted() {
        float[] values = {1.5f, -2.0f, 0.25f, 4.0f};
        HostTensor x = bf16(new long[] {2, 2}, values);
        Network net = new LambdaNetwork("order", List.of(), (ops, in) -> {
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("zeta", ops.mul(in.get("x"), 2.0));
            out.put("alpha", ops.add(in.get("x"), 1.0));
            out.put("mid", in.get("x"));
            return out;
        });

        Map<String, HostTensor> result = runNetwork(net, MapParameterSource.empty(), inputs("x", x));

        assertThat(result.keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(result.values()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.F32));
        assertClose("mul", result.get("zeta"), ref(x).map(v -> v * 2), TOLERANCE);
        assertClose("add", result.get("alpha"), ref(x).map(v -> v + 1), TOLERANCE);
        assertClose("identity", result.get("mid"), ref(x), TOLERANCE);
    }

    @Test
    void loadedNetworkRunsTwiceWithDifferentInputShapes() {
        HostTensor w = uniform(0.5, 1.5, 4);
        HostTensor b = uniform(-1, 1, 4);
        MapParameterSource weights = new MapParameterSource(Map.of("norm.weight", w, "norm.bias", b));
        Network net = new LambdaNetwork("norm",
                List.of(ParameterSpec.required("norm.weight", 4), ParameterSpec.required("norm.bias", 4)),
                (ops, in) -> Map.of("y", ops.layerNorm(in.get("x"), ops.parameter("norm.weight"),
                        ops.parameter("norm.bias"), 1e-5)));
        HostTensor first = uniform(-1, 1, 2, 4);
        HostTensor second = uniform(-1, 1, 3, 5, 4);

        try (LoadedNetwork loaded = backend.load(net, weights)) {
            HostTensor y1 = loaded.run(inputs("x", first)).get("y");
            HostTensor y2 = loaded.run(inputs("x", second)).get("y");
            HostTensor y1Again = loaded.run(inputs("x", first)).get("y");
            assertClose("layerNorm", y1, ref(first).layerNorm(ref(w), ref(b), 1e-5), TOLERANCE);
            assertClose("layerNorm", y2, ref(second).layerNorm(ref(w), ref(b), 1e-5), TOLERANCE);
            assertClose("layerNorm", y1Again, ref(first).layerNorm(ref(w), ref(b), 1e-5), TOLERANCE);
        }
    }

    @Test
    void weightProblemsAreReportedTogether() {
        Network net = new LambdaNetwork("checked", List.of(
                ParameterSpec.required("net.a", 2, 3),
                ParameterSpec.required("net.b", 4),
                ParameterSpec.optional("net.c", 5),
                ParameterSpec.required("net.d", 1)),
                "net.", (ops, in) -> Map.of("y", in.get("x")));
        Map<String, HostTensor> stored = new LinkedHashMap<>();
        stored.put("net.a", HostTensor.zeros(3, 2));
        stored.put("net.d", HostTensor.zeros(1));
        stored.put("net.extra", HostTensor.zeros(7));
        stored.put("other.ignored", HostTensor.zeros(7));

        assertThatThrownBy(() -> backend.load(net, new MapParameterSource(stored)).close())
                .isInstanceOf(WeightException.class)
                .hasMessageContaining("checked")
                .hasMessageContaining("3 problem(s)")
                .hasMessageContaining("'net.a' has shape [3, 2], expected [2, 3]")
                .hasMessageContaining("missing key 'net.b'")
                .hasMessageContaining("unexpected key 'net.extra'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("net.c", "other.ignored", "net.d"));
    }

    @Test
    void missingInputIsNamed() {
        Network net = new LambdaNetwork("needs_mask", List.of(),
                (ops, in) -> Map.of("y", ops.mul(in.get("x"), in.get("mask"))));
        try (LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
            assertThatThrownBy(() -> loaded.run(inputs("x", uniform(-1, 1, 2))))
                    .isNotInstanceOf(NullPointerException.class)
                    .hasMessageContaining("mask");
        }
    }

    @Test
    void incompatibleShapesAreReportedWithOpAndShapes() {
        Network net = new LambdaNetwork("bad_matmul", List.of(),
                (ops, in) -> Map.of("y", ops.matmul(in.get("a"), in.get("b"))));
        try (LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
            assertThatThrownBy(() -> loaded.run(inputs("a", uniform(-1, 1, 2, 3), "b", uniform(-1, 1, 4, 5))))
                    .hasMessageContaining("matmul")
                    .hasMessageContaining("[2, 3]")
                    .hasMessageContaining("[4, 5]");
            // the network stays usable after a failed call
            HostTensor a = uniform(-1, 1, 2, 3);
            HostTensor b = uniform(-1, 1, 3, 5);
            assertClose("matmul", loaded.run(inputs("a", a, "b", b)).get("y"), ref(a).matmul(ref(b)), TOLERANCE);
        }
    }

    // ================================================================== helpers

    private void checkUnary(String op, HostTensor x, BiFunction<Ops, Tensor, Tensor> body, DoubleUnaryOperator expected) {
        HostTensor y = apply(inputs("x", x), (ops, in) -> body.apply(ops, in.get("x")));
        assertClose(op, y, ref(x).map(expected), TOLERANCE);
    }

    private void checkConv(long[] xShape, long[] wShape, boolean withBias, int[] stride, int[] padBegin, int[] padEnd,
            int groups) {
        HostTensor x = uniform(-1, 1, xShape);
        HostTensor w = uniform(-1, 1, wShape);
        HostTensor b = withBias ? uniform(-1, 1, wShape[0]) : null;
        Map<String, HostTensor> in = withBias ? inputs("x", x, "w", w, "b", b) : inputs("x", x, "w", w);
        HostTensor y = apply(in, (ops, t) -> ops.conv(t.get("x"), t.get("w"), withBias ? t.get("b") : null,
                stride, padBegin, padEnd, groups));
        RefTensor expected = ref(x).conv(ref(w), withBias ? ref(b) : null, stride, padBegin, padEnd, groups);
        assertClose("conv" + (xShape.length - 2) + "d", y, expected, 2 * TOLERANCE);
    }

    private void checkAttention(long[] qShape, long[] kShape, long[] vShape, long[] biasShape, double scale) {
        HostTensor q = uniform(-2, 2, qShape);
        HostTensor k = uniform(-2, 2, kShape);
        HostTensor v = uniform(-1, 1, vShape);
        HostTensor bias = biasShape == null ? null : uniform(-3, 3, biasShape);
        Map<String, HostTensor> in = bias == null ? inputs("q", q, "k", k, "v", v)
                : inputs("q", q, "k", k, "v", v, "bias", bias);
        HostTensor y = apply(in, (ops, t) -> ops.attention(t.get("q"), t.get("k"), t.get("v"),
                bias == null ? null : t.get("bias"), scale));
        RefTensor expected = RefTensor.attention(ref(q), ref(k), ref(v), bias == null ? null : ref(bias), scale);
        assertClose("attention", y, expected, 2 * TOLERANCE);
    }

    /**
     * Runs {@code body} as a one-output network without parameters and checks that the static shape of the
     * returned tensor equals the shape of the computed result.
     */
    protected HostTensor apply(Map<String, HostTensor> inputs, BiFunction<Ops, Map<String, Tensor>, Tensor> body) {
        long[][] staticShape = new long[1][];
        Network net = new LambdaNetwork("lambda", List.of(), (ops, in) -> {
            Tensor y = body.apply(ops, in);
            staticShape[0] = y.shape().clone();
            return Map.of("y", y);
        });
        HostTensor y = runNetwork(net, MapParameterSource.empty(), inputs).get("y");
        assertThat(y.shape()).as("static shape reported by the op vs. computed shape").isEqualTo(staticShape[0]);
        return y;
    }

    protected Map<String, HostTensor> runNetwork(Network net, ParameterSource weights, Map<String, HostTensor> inputs) {
        try (LoadedNetwork loaded = backend.load(net, weights)) {
            return loaded.run(inputs);
        }
    }

    /** Fails unless shapes match and {@code |actual − expected| ≤ tol · max(1, |expected|)} element-wise. */
    protected static void assertClose(String op, HostTensor actual, RefTensor expected, double tol) {
        assertThat(actual.shape()).as(op + ": shape").isEqualTo(expected.shape());
        float[] a = actual.toFloatArray();
        double[] e = expected.values();
        for (int i = 0; i < e.length; i++) {
            double allowed = tol * Math.max(1.0, Math.abs(e[i]));
            if (!(Math.abs(a[i] - e[i]) <= allowed)) {
                fail(op + ": element " + i + " (index " + Arrays.toString(RefTensor.unflat(expected.shape(), i))
                        + ") is " + a[i] + ", expected " + e[i] + " (tolerance " + allowed + ")");
            }
        }
    }

    protected HostTensor uniform(double lo, double hi, long... shape) {
        float[] v = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return HostTensor.ofFloats(shape, v);
    }

    protected static HostTensor bf16(long[] shape, float[] exactValues) {
        ByteBuffer bytes = ByteBuffer.allocate(exactValues.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : exactValues) {
            bytes.putShort(DTypeConversions.floatToBf16(f));
        }
        bytes.flip();
        return HostTensor.of(DType.BF16, shape, bytes);
    }

    protected static RefTensor ref(HostTensor t) {
        return RefTensor.of(t);
    }

    protected static Map<String, HostTensor> inputs(Object... namesAndTensors) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTensors.length; i += 2) {
            m.put((String) namesAndTensors[i], (HostTensor) namesAndTensors[i + 1]);
        }
        return m;
    }
}
