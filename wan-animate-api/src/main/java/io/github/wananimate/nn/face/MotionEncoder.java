package io.github.wananimate.nn.face;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
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

    /** @param prefix the key prefix, {@code "motion_encoder."} inside the DiT checkpoint */
    public MotionEncoder(String prefix) {
        this.prefix = prefix;
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
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.required(app("convs.0.0.weight"), FIRST_CHANNELS, 3, 1, 1));
        specs.add(ParameterSpec.required(app("convs.0.1.bias"), 1, FIRST_CHANNELS, 1, 1));
        for (int k = 1; k <= RES_BLOCK_CHANNELS.length; k++) {
            int in = RES_BLOCK_CHANNELS[k - 1][0];
            int out = RES_BLOCK_CHANNELS[k - 1][1];
            String block = "convs." + k + ".";
            specs.add(ParameterSpec.required(app(block + "conv1.0.weight"), in, in, 3, 3));
            specs.add(ParameterSpec.required(app(block + "conv1.1.bias"), 1, in, 1, 1));
            specs.add(ParameterSpec.optional(app(block + "conv2.0.kernel"), 4, 4));
            specs.add(ParameterSpec.required(app(block + "conv2.1.weight"), out, in, 3, 3));
            specs.add(ParameterSpec.required(app(block + "conv2.2.bias"), 1, out, 1, 1));
            specs.add(ParameterSpec.optional(app(block + "skip.0.kernel"), 4, 4));
            specs.add(ParameterSpec.required(app(block + "skip.1.weight"), out, in, 1, 1));
        }
        specs.add(ParameterSpec.required(app("convs.8.weight"), STYLE_DIM, STYLE_DIM, 4, 4));
        for (int i = 0; i < FC_LAYERS; i++) {
            int out = i == FC_LAYERS - 1 ? MOTION_DIM : STYLE_DIM;
            specs.add(ParameterSpec.required(prefix + "enc.fc." + i + ".weight", out, STYLE_DIM));
            specs.add(ParameterSpec.required(prefix + "enc.fc." + i + ".bias", out));
        }
        specs.add(ParameterSpec.required(prefix + "dec.direction.weight", STYLE_DIM, MOTION_DIM));
        return specs;
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
        Tensor h = ops.scoped(() -> convLayer(ops, faces, app("convs.0.0.weight"), app("convs.0.1.bias"), 1, 0,
                SQRT2));
        for (int k = 1; k <= RES_BLOCK_CHANNELS.length; k++) {
            Tensor x = h;
            int block = k;
            h = ops.scoped(() -> resBlock(ops, x, "convs." + block + "."));
        }
        Tensor features = ops.reshape(equalConv(ops, h, app("convs.8.weight"), 1, 0, 1.0), n, STYLE_DIM);
        // fc0..fc4: a purely linear chain, no activation in between (faithful to LIA, NETWORKS.md §3.1).
        for (int i = 0; i < FC_LAYERS; i++) {
            features = equalLinear(ops, features, prefix + "enc.fc." + i);
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
     * {@code √2} and goes into the skip conv's weight scale (see {@link #convLayer}).
     */
    private Tensor resBlock(Ops ops, Tensor x, String block) {
        Tensor out = convLayer(ops, x, app(block + "conv1.0.weight"), app(block + "conv1.1.bias"), 1, 1, SQRT2);
        out = convLayer(ops, blur(ops, out, 2, 2), app(block + "conv2.1.weight"), app(block + "conv2.2.bias"), 2, 0,
                1.0);
        Tensor skip = equalConv(ops, blur(ops, x, 1, 1), app(block + "skip.1.weight"), 2, 0, 1.0 / SQRT2);
        return ops.add(out, skip);
    }

    /**
     * EqualConv2d + FusedLeakyReLU times {@code gain}: {@code gain · LeakyReLU_0.2(conv(x, W/√(in·k²)) + b)}. The
     * reference's gain is √2 (NETWORKS.md §3.1); a caller that rescales the result passes the product instead.
     * Since LeakyReLU is positively homogeneous, the gain is applied to the (constant) weight and bias rather than
     * to the activation: the same values up to float rounding, without an element-wise pass over the feature map
     * (ONNX Runtime then fuses bias, activation and the residual Add into its blocked-layout Conv).
     */
    private Tensor convLayer(Ops ops, Tensor x, String weightKey, String biasKey, int stride, int pad, double gain) {
        Tensor bias = ops.parameter(biasKey);
        Tensor scaledBias = gain == 1.0 ? bias : ops.mul(bias, gain);
        return ops.leakyRelu(ops.add(equalConv(ops, x, weightKey, stride, pad, gain), scaledBias), LEAKY_SLOPE);
    }

    /**
     * EqualConv2d without bias, times {@code gain}: weight scaled by {@code gain/√(in·k²)}, zero padding {@code pad}
     * on every side.
     */
    private Tensor equalConv(Ops ops, Tensor x, String weightKey, int stride, int pad, double gain) {
        Tensor weight = ops.parameter(weightKey);
        long[] w = weight.shape();
        double scale = gain / Math.sqrt((double) w[1] * w[2] * w[3]);
        return ops.conv(x, ops.mul(weight, scale), null, new int[] {stride, stride}, new int[] {pad, pad},
                new int[] {pad, pad}, 1);
    }

    /** EqualLinear (lr_mul 1, no activation): {@code x · (W/√in)ᵀ + b}. */
    private Tensor equalLinear(Ops ops, Tensor x, String layer) {
        Tensor weight = ops.parameter(layer + ".weight");
        double scale = 1.0 / Math.sqrt(weight.dim(1));
        return ops.linear(x, ops.mul(weight, scale), ops.parameter(layer + ".bias"));
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
