package io.github.wananimate.nn.face;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Conv;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.Weight;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.ParameterSources;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LIA-derived motion encoder of Wan-Animate (NETWORKS.md §3.1): 512×512 face crops in [−1, 1] → 20 motion
 * coefficients α (EncoderApp + a linear fc chain) → motion vector {@code m = Q·α} ∈ ℝ⁵¹², Q being the Householder
 * Q of the learned direction matrix.
 *
 * <p>Precision: the convolutions and fc Linears compute in the run's {@link Precision#compute()} (the original runs
 * the motion encoder under bf16 autocast), the blur FIR, activations and biases in float32; Q is derived in float64
 * and used in float32.
 */
public final class MotionEncoder implements Network {

    public static final int SIZE = 512;
    public static final int STYLE_DIM = 512;
    public static final int MOTION_DIM = 20;

    /** Input: face crops {@code [N, 3, 512, 512]}. */
    public static final String INPUT_FACES = "faces";
    /** Output: motion vectors {@code [N, 512]}. */
    public static final String OUTPUT_MOTION = "motion";
    /** Output: the 20 coefficients α before the direction {@code [N, 20]}. */
    public static final String OUTPUT_MOTION_FEATURES = "motion_features";

    /** (Cin, Cout) of the ResBlocks {@code enc.net_app.convs.1..7}. */
    private static final int[][] RES_BLOCK_CHANNELS = {
        {32, 64}, {64, 128}, {128, 256}, {256, 512}, {512, 512}, {512, 512}, {512, 512}};
    private static final int FIRST_CHANNELS = 32;
    private static final int FC_LAYERS = 5;
    private static final double LEAKY_SLOPE = 0.2;
    private static final double SQRT2 = Math.sqrt(2.0);
    /** LIA adds this to the direction weight before the QR (a no-op except on exact zeros; NETWORKS.md §3.1). */
    private static final double DIRECTION_EPSILON = 1e-8;

    private final String prefix;
    private final Map<Long, HostTensor> blurKernels = new HashMap<>();
    private final ConvLayer first;
    private final List<ResBlock> blocks;
    private final Conv last;
    private final List<Linear> fc;
    private final List<ParameterSpec> parameters;

    /** @param prefix the key prefix, {@code "motion_encoder."} inside the DiT checkpoint; float32 */
    public MotionEncoder(String prefix) {
        this(prefix, Precision.FP32);
    }

    /**
     * @param prefix    the key prefix, {@code "motion_encoder."} inside the DiT checkpoint
     * @param precision weights and autocast dtype of the run
     */
    public MotionEncoder(String prefix, Precision precision) {
        this.prefix = prefix;
        DType stored = precision.weights();
        DType low = precision.compute();
        this.first = new ConvLayer(app("convs.0.0"), app("convs.0.1.bias"), FIRST_CHANNELS, 3, 1, 1, 0, SQRT2,
                stored, low);
        List<ResBlock> list = new ArrayList<>();
        for (int k = 1; k <= RES_BLOCK_CHANNELS.length; k++) {
            list.add(new ResBlock("convs." + k + ".", RES_BLOCK_CHANNELS[k - 1][0], RES_BLOCK_CHANNELS[k - 1][1],
                    stored, low));
        }
        this.blocks = List.copyOf(list);
        this.last = equalConv(app("convs.8"), STYLE_DIM, STYLE_DIM, 4, 1, 0, 1.0, stored, low);
        List<Linear> chain = new ArrayList<>();
        for (int i = 0; i < FC_LAYERS; i++) {
            int out = i == FC_LAYERS - 1 ? MOTION_DIM : STYLE_DIM;
            // EqualLinear (lr_mul 1, no activation): x · (W/√in)ᵀ + b
            chain.add(new Linear(prefix + "enc.fc." + i, out, STYLE_DIM, stored, low)
                    .withWeightScale(1.0 / Math.sqrt(STYLE_DIM)));
        }
        this.fc = List.copyOf(chain);
        List<Layer> layers = new ArrayList<>();
        layers.add(first);
        layers.addAll(blocks);
        layers.add(last);
        layers.addAll(fc);
        // the direction weight is read on the host only (prepare derives Q from it)
        layers.add(new Weight(prefix + "dec.direction.weight", DType.F32, STYLE_DIM, MOTION_DIM));
        this.parameters = Layers.parameters(layers);
    }

    @Override
    public String name() {
        return "motion_encoder";
    }

    @Override
    public String keyPrefix() {
        return prefix;
    }

    /** The derived key {@link #prepare} adds: Q of the Householder QR of {@code dec.direction.weight + 1e-8}. */
    public String directionQKey() {
        return prefix + "dec.direction.q";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /** Adds {@link #directionQKey()}: the direction weight is a constant, so its QR is done once, here. */
    @Override
    public ParameterSource prepare(ParameterSource checkpoint) {
        String key = prefix + "dec.direction.weight";
        float[] direction = checkpoint.get(key).toFloatArray();
        double[] shifted = new double[direction.length];
        for (int i = 0; i < direction.length; i++) {
            shifted[i] = direction[i] + DIRECTION_EPSILON;
        }
        double[] q = HouseholderQr.decompose(shifted, STYLE_DIM, MOTION_DIM).q();
        float[] qFloat = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            qFloat[i] = (float) q[i];
        }
        return ParameterSources.withDerived(checkpoint,
                Map.of(directionQKey(), HostTensor.ofFloats(new long[] {STYLE_DIM, MOTION_DIM}, qFloat)));
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        Tensor faces = inputs.get(INPUT_FACES);
        if (faces == null) {
            throw new IllegalArgumentException("motion_encoder needs input '" + INPUT_FACES + "', got "
                    + inputs.keySet());
        }
        Tensor alpha = motionFeatures(ops, faces);
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        outputs.put(OUTPUT_MOTION, direction(ops, alpha));
        outputs.put(OUTPUT_MOTION_FEATURES, alpha);
        return outputs;
    }

    /** Face crops {@code [N, 3, 512, 512]} in [−1, 1] → motion vectors {@code [N, 512]}. */
    public Tensor encode(Ops ops, Tensor faces) {
        return direction(ops, motionFeatures(ops, faces));
    }

    /** Face crops {@code [N, 3, 512, 512]} → the 20 motion coefficients α {@code [N, 20]} (EncoderApp + fc chain). */
    public Tensor motionFeatures(Ops ops, Tensor faces) {
        long[] shape = faces.shape();
        if (shape.length != 4 || shape[1] != 3 || shape[2] != SIZE || shape[3] != SIZE) {
            throw new IllegalArgumentException("motion encoder input must be [N, 3, 512, 512], got "
                    + Arrays.toString(shape));
        }
        long n = shape[0];
        Tensor h = ops.scoped(() -> first.apply(ops, faces));
        for (ResBlock block : blocks) {
            Tensor x = h;
            h = ops.scoped(() -> block.apply(ops, x));
        }
        Tensor features = ops.reshape(last.apply(ops, h), n, STYLE_DIM);
        // fc0..fc4: a purely linear chain, no activation in between (faithful to LIA, NETWORKS.md §3.1).
        for (Linear layer : fc) {
            features = layer.apply(ops, features);
        }
        return features;
    }

    /** Motion synthesis {@code m = Q·α}: {@code [N, 20]} → {@code [N, 512]}. */
    public Tensor direction(Ops ops, Tensor alpha) {
        // linear computes α·Wᵀ with W = Q [512, 20], i.e. Σ_k α_k Q[:, k].
        return ops.linear(alpha, ops.parameter(directionQKey()), null);
    }

    // ---------------------------------------------------------------- LIA primitives

    /**
     * ResBlock: {@code (Act(Conv3x3↓(Act(Conv3x3(x)))) + Conv1x1↓(Blur(x))) / √2}, downsampling convs preceded by a
     * blur: Blur(2,2) before the 3x3, Blur(1,1) before the 1x1. The outer {@code 1/√2} cancels the second Act's gain
     * {@code √2} and goes into the skip conv's weight scale (see {@link ConvLayer}). The blur kernels
     * ({@code conv2.0.kernel}, {@code skip.0.kernel}) are constants some checkpoints carry: accepted, never read.
     */
    private final class ResBlock implements Layer {

        private final ConvLayer conv1;
        private final ConvLayer conv2;
        private final Conv skip;
        private final List<ParameterSpec> parameters;

        ResBlock(String block, int in, int out, DType stored, DType low) {
            conv1 = new ConvLayer(app(block + "conv1.0"), app(block + "conv1.1.bias"), in, in, 3, 1, 1, SQRT2, stored,
                    low);
            conv2 = new ConvLayer(app(block + "conv2.1"), app(block + "conv2.2.bias"), out, in, 3, 2, 0, 1.0, stored,
                    low);
            skip = equalConv(app(block + "skip.1"), out, in, 1, 2, 0, 1.0 / SQRT2, stored, low);
            List<ParameterSpec> specs = new ArrayList<>(Layers.parameters(List.of(conv1, conv2, skip)));
            specs.add(ParameterSpec.optional(app(block + "conv2.0.kernel"), 4, 4));
            specs.add(ParameterSpec.optional(app(block + "skip.0.kernel"), 4, 4));
            parameters = List.copyOf(specs);
        }

        @Override
        public List<ParameterSpec> parameters() {
            return parameters;
        }

        Tensor apply(Ops ops, Tensor x) {
            Tensor out = conv1.apply(ops, x);
            out = conv2.apply(ops, blur(ops, out, 2, 2));
            return ops.add(out, skip.apply(ops, blur(ops, x, 1, 1)));
        }
    }

    /**
     * EqualConv2d + FusedLeakyReLU times {@code gain}: {@code gain · LeakyReLU_0.2(conv(x, W/√(in·k²)) + b)}. The
     * reference's gain is √2 (NETWORKS.md §3.1); a caller that rescales the result passes the product instead.
     * Since LeakyReLU is positively homogeneous, the gain is applied to the (constant) weight and bias rather than
     * to the activation: the same values up to float rounding, without an element-wise pass over the feature map
     * (ONNX Runtime then fuses bias, activation and the residual Add into its blocked-layout Conv). The bias is
     * {@code [1, C, 1, 1]}, added in float32.
     */
    private static final class ConvLayer implements Layer {

        private final Weight bias;
        private final Conv conv;
        private final double gain;

        ConvLayer(String conv, String biasKey, int out, int in, int kernel, int stride, int pad, double gain,
                DType stored, DType low) {
            this.bias = new Weight(biasKey, stored, 1, out, 1, 1);
            this.conv = equalConv(conv, out, in, kernel, stride, pad, gain, stored, low);
            this.gain = gain;
        }

        @Override
        public List<ParameterSpec> parameters() {
            return Layers.parameters(List.of(conv, bias));
        }

        Tensor apply(Ops ops, Tensor x) {
            Tensor b = bias.get(ops);
            Tensor scaledBias = gain == 1.0 ? b : ops.mul(b, gain);
            return ops.leakyRelu(ops.add(conv.apply(ops, x), scaledBias), LEAKY_SLOPE);
        }
    }

    /**
     * EqualConv2d without bias, times {@code gain}: weight scaled by {@code gain/√(in·k²)}, zero padding {@code pad}
     * on every side.
     */
    private static Conv equalConv(String module, int out, int in, int kernel, int stride, int pad, double gain,
            DType stored, DType low) {
        return Conv.of(module, out, in, stored, low, kernel, kernel).withoutBias()
                .withWeightScale(gain / Math.sqrt((double) in * kernel * kernel))
                .withStride(stride, stride).withPadding(new int[] {pad, pad}, new int[] {pad, pad});
    }

    /**
     * Blur: depthwise 4x4 FIR with {@code K = k kᵀ / 64}, {@code k = [1, 3, 3, 1]}, after zero padding {@code pad0}
     * top/left and {@code pad1} bottom/right (K is symmetric, so upfirdn2d's kernel flip is irrelevant).
     */
    private Tensor blur(Ops ops, Tensor x, int pad0, int pad1) {
        long channels = x.dim(1);
        Tensor kernel = ops.constant(blurKernel(channels));
        return ops.conv(x, kernel, null, new int[] {1, 1}, new int[] {pad0, pad0}, new int[] {pad1, pad1},
                Math.toIntExact(channels));
    }

    private synchronized HostTensor blurKernel(long channels) {
        return blurKernels.computeIfAbsent(channels, c -> {
            double[] k = {1, 3, 3, 1};
            float[] values = new float[Math.toIntExact(c * 16)];
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        values[ch * 16 + i * 4 + j] = (float) (k[i] * k[j] / 64.0);
                    }
                }
            }
            return HostTensor.ofFloats(new long[] {c, 1, 4, 4}, values);
        });
    }

    private String app(String key) {
        return prefix + "enc.net_app." + key;
    }
}
