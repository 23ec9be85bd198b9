package io.github.wananimate.nn.dit;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterGroup;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.face.FaceAdapterBlock;
import io.github.wananimate.nn.face.FaceEncoder;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code WanAnimateModel}, the Wan-Animate denoiser (NETWORKS.md §1), with its face path (motion encoder, face
 * encoder, face adapter, §3). One forward predicts the flow for one latent clip.
 *
 * <p>Inputs (batch 1): {@code x} noise latent {@code [16, F, h, w]}; {@code y} condition latent
 * {@code [20, F, h, w]} (4 mask + 16 latent channels); {@code timestep_sinusoid} {@code [freq_dim]} from
 * {@link #timestepSinusoid}; {@code context} text features {@code [L_txt ≤ text_len, text_dim]} (real tokens only,
 * zero-padded here); {@code clip_fea} {@code [1, 257, 1280]}; {@code pose_latents} {@code [1, 16, F−1, h, w]};
 * {@code face_pixel_values} {@code [1, 3, T, 512, 512]} in [−1, 1] with {@code (T+3)/4 = F−1}; or, instead of the
 * face pixels, {@code face_motion} {@code [T, 512]}: the motion encoder's codes of those faces, computed beforehand
 * (the faces do not change between the steps of a clip, so a generation encodes them once per clip; same result).
 *
 * <p>Outputs, in order: {@code output} {@code [16, F, h, w]}, then, when built with intermediates, {@code motion}
 * {@code [T, 512]}, {@code face_encoder_out} {@code [1, F−1, 5, D]}, {@code e0} {@code [1, 6, D]},
 * {@code block0_out} and {@code block0_after_face_adapter} {@code [1, L, D]}.
 *
 * <p>Precision (§1.6). Everything here runs in float32; bf16/fp8 checkpoints are up-cast when bound and the
 * sinusoid and RoPE angles are computed on the host in float64. The original, on GPU, runs the Q/K/V/O, FFN,
 * text/image embedding and face-adapter Linears, the patch convolutions, the motion-encoder convolutions and the
 * face-encoder convolutions in bf16 under autocast, attention (flash-attn) on bf16 q/k/v with float32
 * accumulation, and casts RMSNorm outputs back to bf16 before the gain; it keeps in float32 the time embedding and
 * projection, the modulation adds and gated residuals, the residual stream after block 0, LayerNorm/RMSNorm
 * statistics, the head and the output. So this port is a float32 superset of the reference: expect bf16-level
 * (about 1e-2 relative) differences from the GPU original, and float32-rounding agreement with the original run
 * in float32 (the golden fixtures).
 */
public final class WanAnimateDiT implements Network {

    public static final String X = "x";
    public static final String Y = "y";
    public static final String TIMESTEP_SINUSOID = "timestep_sinusoid";
    public static final String CONTEXT = "context";
    public static final String CLIP_FEA = "clip_fea";
    public static final String POSE_LATENTS = "pose_latents";
    public static final String FACE_PIXEL_VALUES = "face_pixel_values";
    /** Optional replacement of {@link #FACE_PIXEL_VALUES}: precomputed motion codes {@code [T, 512]}. */
    public static final String FACE_MOTION = "face_motion";

    public static final String OUTPUT = "output";
    public static final String MOTION = "motion";
    public static final String FACE_ENCODER_OUT = "face_encoder_out";
    public static final String E0 = "e0";
    public static final String BLOCK0_OUT = "block0_out";
    public static final String BLOCK0_AFTER_FACE_ADAPTER = "block0_after_face_adapter";

    /** Face frames per motion-encoder call, as the original batches them (no numerical effect; bounds memory). */
    private static final int FACE_BATCH = 8;
    private static final int FACE_SIZE = 512;
    /** Face tokens per latent frame: 4 groups + the padding token (§3.2). */
    private static final int FACE_TOKENS = 5;
    private static final double IMG_EMB_EPS = 1e-5;
    private static final int PATCH = 2;

    private final DiTConfig config;
    private final MotionEncoder motionEncoder;
    private final FaceEncoder faceEncoder;
    private final List<FaceAdapterBlock> faceBlocks;
    private final List<ParameterSpec> parameters;
    private final List<ParameterGroup> groups;
    private final boolean intermediates;

    /** The denoiser with the single output {@code output}. */
    public WanAnimateDiT(DiTConfig config) {
        this(config, false);
    }

    /**
     * @param intermediates also output {@code motion}, {@code face_encoder_out}, {@code e0}, {@code block0_out} and
     *                      {@code block0_after_face_adapter} (for parity checks: at 14B size the block outputs are
     *                      1.5 GB each, so the sampler leaves this off)
     */
    public WanAnimateDiT(DiTConfig config, boolean intermediates) {
        this.config = config;
        this.intermediates = intermediates;
        this.motionEncoder = new MotionEncoder("motion_encoder.");
        this.faceEncoder = new FaceEncoder("face_encoder.", config.dim());
        List<FaceAdapterBlock> blocks = new ArrayList<>();
        for (int k = 0; k < config.faceBlocks(); k++) {
            blocks.add(new FaceAdapterBlock(faceBlockPrefix(k), config.dim(), config.numHeads()));
        }
        this.faceBlocks = List.copyOf(blocks);
        this.parameters = List.copyOf(buildParameters());
        this.groups = List.copyOf(buildGroups());
    }

    public DiTConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "wan_animate_dit";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /**
     * One group per block, {@code blocks.i}: the block's keys and, after blocks 0, 5, 10, …, the keys of the face
     * adapter block that follows it in the same chain step. Everything else (embeddings, face encoder, head) stays
     * resident.
     */
    @Override
    public List<ParameterGroup> parameterGroups() {
        return groups;
    }

    private static String faceBlockPrefix(int index) {
        return "face_adapter.fuser_blocks." + index + ".";
    }

    /** The name of block {@code index}'s parameter group. */
    public static String blockGroup(int index) {
        return "blocks." + index;
    }

    /** The motion encoder's derived tensors (its Householder Q) are added here. */
    @Override
    public ParameterSource prepare(ParameterSource checkpoint) {
        return motionEncoder.prepare(checkpoint);
    }

    /**
     * The timestep sinusoid of §1.3 step 6, computed in float64 and rounded to float32 once:
     * {@code [cos(t·ω_k), sin(t·ω_k)]} with {@code ω_k = 10000^(−k/half)}, cos half FIRST.
     */
    public static HostTensor timestepSinusoid(double timestep, int freqDim) {
        if (freqDim <= 0 || freqDim % 2 != 0) {
            throw new IllegalArgumentException("freq_dim must be positive and even, got " + freqDim);
        }
        int half = freqDim / 2;
        float[] s = new float[freqDim];
        for (int k = 0; k < half; k++) {
            double angle = timestep * Math.pow(10000.0, -(double) k / half);
            s[k] = (float) Math.cos(angle);
            s[half + k] = (float) Math.sin(angle);
        }
        return HostTensor.ofFloats(new long[] {freqDim}, s);
    }

    // ------------------------------------------------------------------------------------------ forward

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        int dim = config.dim();
        Tensor x = required(inputs, X);
        Tensor y = required(inputs, Y);
        Tensor sinusoid = required(inputs, TIMESTEP_SINUSOID);
        Tensor context = required(inputs, CONTEXT);
        Tensor clip = required(inputs, CLIP_FEA);
        Tensor pose = required(inputs, POSE_LATENTS);
        Tensor precomputedMotion = inputs.containsKey(FACE_MOTION) ? inputs.get(FACE_MOTION) : null;
        Tensor faces = precomputedMotion == null ? required(inputs, FACE_PIXEL_VALUES) : null;

        long[] xs = x.shape();
        expectRank(X, x, 4);
        long frames = xs[1];
        long h = xs[2];
        long w = xs[3];
        expectShape(X, x, DiTConfig.OUT_DIM, frames, h, w);
        if (frames < 2 || h % PATCH != 0 || w % PATCH != 0) {
            throw new IllegalArgumentException("x " + Arrays.toString(xs)
                    + ": need at least 2 latent frames (reference + video) and even latent height/width");
        }
        expectShape(Y, y, DiTConfig.IN_DIM - DiTConfig.OUT_DIM, frames, h, w);
        expectShape(TIMESTEP_SINUSOID, sinusoid, config.freqDim());
        expectShape(CLIP_FEA, clip, 1, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM);
        expectShape(POSE_LATENTS, pose, 1, DiTConfig.POSE_DIM, frames - 1, h, w);
        expectRank(CONTEXT, context, 2);
        if (context.dim(1) != config.textDim() || context.dim(0) < 1 || context.dim(0) > config.textLen()) {
            throw new IllegalArgumentException("context must be [1.." + config.textLen() + ", " + config.textDim()
                    + "], got " + Arrays.toString(context.shape()));
        }
        long faceFrames;
        if (precomputedMotion != null) {
            expectRank(FACE_MOTION, precomputedMotion, 2);
            faceFrames = precomputedMotion.dim(0);
            expectShape(FACE_MOTION, precomputedMotion, faceFrames, FaceEncoder.MOTION_DIM);
        } else {
            expectRank(FACE_PIXEL_VALUES, faces, 5);
            faceFrames = faces.dim(2);
            expectShape(FACE_PIXEL_VALUES, faces, 1, 3, faceFrames, FACE_SIZE, FACE_SIZE);
        }
        if (faceFrames < 1 || FaceEncoder.outputFrames(faceFrames) != frames - 1) {
            throw new IllegalArgumentException(faceFrames + " face frames give " + FaceEncoder.outputFrames(faceFrames)
                    + " face-token frames, but the latent has " + (frames - 1)
                    + " video frames (need T face frames with (T+3)/4 = F−1, e.g. T = 4(F−1)−3)");
        }

        long rows = h / PATCH;
        long cols = w / PATCH;
        long perFrame = rows * cols;
        long tokens = frames * perFrame;
        Map<String, Tensor> outputs = new LinkedHashMap<>();

        // §1.3 steps 1–3: patch embedding of [x; y], pose patches added to latent frames 1..F−1
        Tensor patches = ops.scoped(() -> {
            Tensor t = patchEmbed(ops, ops.concat(0, x, y), "patch_embedding");
            Tensor posed = patchEmbed(ops, ops.reshape(pose, DiTConfig.POSE_DIM, frames - 1, h, w), "pose_patch_embedding");
            return ops.concat(0, ops.slice(t, 0, 0, perFrame), ops.add(ops.slice(t, 0, perFrame, tokens), posed));
        });

        // §1.3 step 4, §3: face motion codes → face tokens, a zero frame prepended for the reference frame
        Tensor motion = precomputedMotion != null ? precomputedMotion : encodeFaces(ops, faces, faceFrames);
        Tensor faceTokens = ops.scoped(() -> faceEncoder.encode(ops, ops.reshape(motion, 1, faceFrames, FaceEncoder.MOTION_DIM)));
        if (intermediates) {
            outputs.put(MOTION, motion);
            outputs.put(FACE_ENCODER_OUT, faceTokens);
        }
        Tensor motionVec = ops.reshape(ops.pad(faceTokens, new long[] {0, 1, 0, 0}, new long[] {0, 0, 0, 0}, 0.0),
                frames, FACE_TOKENS, dim);

        // §1.3 step 6: time embedding e [1, D] and the block modulation e0 [6, D]
        Tensor e = ops.linear(ops.silu(ops.linear(ops.reshape(sinusoid, 1, config.freqDim()),
                        ops.parameter("time_embedding.0.weight"), ops.parameter("time_embedding.0.bias"))),
                ops.parameter("time_embedding.2.weight"), ops.parameter("time_embedding.2.bias"));
        Tensor e0 = ops.reshape(ops.linear(ops.silu(e), ops.parameter("time_projection.1.weight"),
                ops.parameter("time_projection.1.bias")), 6, dim);
        if (intermediates) {
            outputs.put(E0, ops.reshape(e0, 1, 6, dim));
        }

        // §1.3 steps 7–8: text context padded with zero rows to text_len (never masked), image context
        Tensor text = ops.scoped(() -> embedText(ops, context));
        Tensor image = ops.scoped(() -> embedImage(ops, clip));

        HostTensor[] rope = Rope3d.cosSin(config.headDim(), (int) frames, (int) rows, (int) cols);
        Tensor cos = ops.constant(rope[0]);
        Tensor sin = ops.constant(rope[1]);

        // §1.3 step 10: blocks, face-adapter block k after block 5k (its output added, no gate); one chain step per
        // block so that an eager backend holds about two activations at a time
        Tensor hidden = patches;
        int first = 0;
        if (intermediates) {
            Tensor block0 = ops.scoped(() -> block(ops, 0, patches, e0, text, image, cos, sin));
            outputs.put(BLOCK0_OUT, ops.reshape(block0, 1, tokens, dim));
            hidden = ops.scoped(() -> ops.add(block0, faceBlocks.get(0).forward(ops, block0, motionVec)));
            outputs.put(BLOCK0_AFTER_FACE_ADAPTER, ops.reshape(hidden, 1, tokens, dim));
            first = 1;
        }
        int start = first;
        List<String> stepGroups = new ArrayList<>();
        for (int i = start; i < config.numLayers(); i++) {
            stepGroups.add(blockGroup(i));
        }
        hidden = ops.chain(hidden, stepGroups, (k, in) -> {
            int i = start + k;
            Tensor out = block(ops, i, in, e0, text, image, cos, sin);
            if (i % DiTConfig.FACE_BLOCK_EVERY == 0) {
                out = ops.add(out, faceBlocks.get(i / DiTConfig.FACE_BLOCK_EVERY).forward(ops, out, motionVec));
            }
            return out;
        });

        // §1.3 steps 11–12: head and unpatchify
        Tensor last = hidden;
        Tensor video = ops.scoped(() -> unpatchify(ops, head(ops, last, e), frames, rows, cols));
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        ordered.put(OUTPUT, video);
        ordered.putAll(outputs);
        return ordered;
    }

    /**
     * A Conv3d with kernel = stride = (1,2,2) as a Linear over vectorised patches: patch (f, i, j) flattened in
     * (channel, row offset, column offset) order, tokens in (f, i, j) order. u {@code [C, F, h, w]} →
     * {@code [F·h/2·w/2, D]}.
     */
    private Tensor patchEmbed(Ops ops, Tensor u, String name) {
        long[] s = u.shape();
        long c = s[0];
        Tensor grid = ops.reshape(u, c, s[1], s[2] / PATCH, PATCH, s[3] / PATCH, PATCH);
        Tensor vectors = ops.reshape(ops.permute(grid, 1, 2, 4, 0, 3, 5), -1, c * PATCH * PATCH);
        Tensor weight = ops.reshape(ops.parameter(name + ".weight"), config.dim(), c * PATCH * PATCH);
        return ops.linear(vectors, weight, ops.parameter(name + ".bias"));
    }

    /** {@code [1, 3, T, 512, 512]} → motion codes {@code [T, 512]}, in batches of {@link #FACE_BATCH} frames. */
    private Tensor encodeFaces(Ops ops, Tensor faces, long faceFrames) {
        Tensor perFrame = ops.permute(ops.reshape(faces, 3, faceFrames, FACE_SIZE, FACE_SIZE), 1, 0, 2, 3);
        List<Tensor> codes = new ArrayList<>();
        for (long start = 0; start < faceFrames; start += FACE_BATCH) {
            long from = start;
            long to = Math.min(faceFrames, start + FACE_BATCH);
            codes.add(ops.scoped(() -> motionEncoder.encode(ops, ops.slice(perFrame, 0, from, to))));
        }
        return codes.size() == 1 ? codes.get(0) : ops.concat(0, codes);
    }

    private Tensor embedText(Ops ops, Tensor context) {
        long missing = config.textLen() - context.dim(0);
        Tensor padded = missing == 0 ? context : ops.pad(context, new long[] {0, 0}, new long[] {missing, 0}, 0.0);
        Tensor hidden = ops.geluTanh(ops.linear(padded, ops.parameter("text_embedding.0.weight"),
                ops.parameter("text_embedding.0.bias")));
        return ops.linear(hidden, ops.parameter("text_embedding.2.weight"), ops.parameter("text_embedding.2.bias"));
    }

    /** MLPProj: LN → Linear → GELU(erf) → Linear → LN, both LayerNorms affine with eps 1e-5. */
    private Tensor embedImage(Ops ops, Tensor clip) {
        Tensor c = ops.reshape(clip, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM);
        c = ops.layerNorm(c, ops.parameter("img_emb.proj.0.weight"), ops.parameter("img_emb.proj.0.bias"), IMG_EMB_EPS);
        c = ops.geluErf(ops.linear(c, ops.parameter("img_emb.proj.1.weight"), ops.parameter("img_emb.proj.1.bias")));
        c = ops.linear(c, ops.parameter("img_emb.proj.3.weight"), ops.parameter("img_emb.proj.3.bias"));
        return ops.layerNorm(c, ops.parameter("img_emb.proj.4.weight"), ops.parameter("img_emb.proj.4.bias"), IMG_EMB_EPS);
    }

    /** One WanAnimateAttentionBlock (§1.4) on the residual stream {@code [L, D]}. */
    private Tensor block(Ops ops, int index, Tensor x, Tensor e0, Tensor text, Tensor image, Tensor cos, Tensor sin) {
        String p = "blocks." + index + ".";
        double eps = config.eps();
        // rows: 0 shift / 1 scale / 2 gate (self-attention), 3 shift / 4 scale / 5 gate (FFN)
        Tensor m = ops.add(ops.reshape(ops.parameter(p + "modulation"), 6, config.dim()), e0);
        Tensor[] mod = new Tensor[6];
        for (int r = 0; r < 6; r++) {
            mod[r] = ops.slice(m, 0, r, r + 1);
        }

        Tensor a = modulate(ops, ops.layerNorm(x, null, null, eps), mod[1], mod[0]);
        Tensor q = ops.rmsNorm(linear(ops, a, p + "self_attn.q"), ops.parameter(p + "self_attn.norm_q.weight"), eps);
        Tensor k = ops.rmsNorm(linear(ops, a, p + "self_attn.k"), ops.parameter(p + "self_attn.norm_k.weight"), eps);
        Tensor v = linear(ops, a, p + "self_attn.v");
        Tensor sa = mergeHeads(ops, attend(ops, heads(ops, rotate(ops, q, cos, sin)), heads(ops, rotate(ops, k, cos, sin)),
                heads(ops, v)));
        x = ops.add(x, ops.mul(linear(ops, sa, p + "self_attn.o"), mod[2]));

        // cross-attention: no gate, no modulation; image and text keys in two separate softmaxes, summed
        Tensor c = ops.layerNorm(x, ops.parameter(p + "norm3.weight"), ops.parameter(p + "norm3.bias"), eps);
        Tensor cq = heads(ops, ops.rmsNorm(linear(ops, c, p + "cross_attn.q"), ops.parameter(p + "cross_attn.norm_q.weight"), eps));
        Tensor kt = ops.rmsNorm(linear(ops, text, p + "cross_attn.k"), ops.parameter(p + "cross_attn.norm_k.weight"), eps);
        Tensor vt = linear(ops, text, p + "cross_attn.v");
        Tensor ki = ops.rmsNorm(linear(ops, image, p + "cross_attn.k_img"),
                ops.parameter(p + "cross_attn.norm_k_img.weight"), eps);
        Tensor vi = linear(ops, image, p + "cross_attn.v_img");
        Tensor ca = ops.add(mergeHeads(ops, attend(ops, cq, heads(ops, kt), heads(ops, vt))),
                mergeHeads(ops, attend(ops, cq, heads(ops, ki), heads(ops, vi))));
        x = ops.add(x, linear(ops, ca, p + "cross_attn.o"));

        Tensor f = modulate(ops, ops.layerNorm(x, null, null, eps), mod[4], mod[3]);
        Tensor ffn = linear(ops, ops.geluTanh(linear(ops, f, p + "ffn.0")), p + "ffn.2");
        return ops.add(x, ops.mul(ffn, mod[5]));
    }

    /** {@code LN(x)·(1 + M1) + M0} of §1.3 step 11: shift row 0, scale row 1 of {@code head.modulation + e}. */
    private Tensor head(Ops ops, Tensor x, Tensor e) {
        Tensor m = ops.add(ops.reshape(ops.parameter("head.modulation"), 2, config.dim()), e);
        Tensor normed = modulate(ops, ops.layerNorm(x, null, null, config.eps()), ops.slice(m, 0, 1, 2), ops.slice(m, 0, 0, 1));
        return ops.linear(normed, ops.parameter("head.head.weight"), ops.parameter("head.head.bias"));
    }

    /** Row (f, i, j) of {@code [L, 64]} read as {@code [q=2][r=2][c=16]} → {@code V[c, f, 2i+q, 2j+r]}. */
    private static Tensor unpatchify(Ops ops, Tensor out, long frames, long rows, long cols) {
        Tensor grid = ops.reshape(out, frames, rows, cols, PATCH, PATCH, DiTConfig.OUT_DIM);
        return ops.reshape(ops.permute(grid, 5, 0, 1, 3, 2, 4), DiTConfig.OUT_DIM, frames, rows * PATCH, cols * PATCH);
    }

    private static Tensor modulate(Ops ops, Tensor normed, Tensor scale, Tensor shift) {
        return ops.add(ops.mul(normed, ops.add(scale, 1.0)), shift);
    }

    private static Tensor linear(Ops ops, Tensor x, String module) {
        return ops.linear(x, ops.parameter(module + ".weight"), ops.parameter(module + ".bias"));
    }

    /** RoPE on {@code [L, D]}: neighbouring channel pairs (2m, 2m+1) of each head rotated by the token's angles. */
    private Tensor rotate(Ops ops, Tensor x, Tensor cos, Tensor sin) {
        long tokens = x.dim(0);
        Tensor pairs = ops.reshape(x, tokens, config.numHeads(), config.headDim() / 2, 2);
        Tensor re = ops.slice(pairs, 3, 0, 1);
        Tensor im = ops.slice(pairs, 3, 1, 2);
        Tensor outRe = ops.sub(ops.mul(re, cos), ops.mul(im, sin));
        Tensor outIm = ops.add(ops.mul(re, sin), ops.mul(im, cos));
        return ops.reshape(ops.concat(3, outRe, outIm), tokens, config.dim());
    }

    /** {@code [L, D]} → {@code [1, H, L, d]}. */
    private Tensor heads(Ops ops, Tensor x) {
        return ops.permute(ops.reshape(x, 1, x.dim(0), config.numHeads(), config.headDim()), 0, 2, 1, 3);
    }

    /** {@code [1, H, L, d]} → {@code [L, D]}. */
    private Tensor mergeHeads(Ops ops, Tensor x) {
        return ops.reshape(ops.permute(x, 0, 2, 1, 3), x.dim(2), config.dim());
    }

    private Tensor attend(Ops ops, Tensor q, Tensor k, Tensor v) {
        return ops.attention(q, k, v, null, 1.0 / Math.sqrt(config.headDim()));
    }

    // ------------------------------------------------------------------------------------------ parameters

    private List<ParameterSpec> buildParameters() {
        int d = config.dim();
        int patchIn = 1 * PATCH * PATCH;
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.required("patch_embedding.weight", d, DiTConfig.IN_DIM, 1, PATCH, PATCH));
        specs.add(ParameterSpec.required("patch_embedding.bias", d));
        specs.add(ParameterSpec.required("pose_patch_embedding.weight", d, DiTConfig.POSE_DIM, 1, PATCH, PATCH));
        specs.add(ParameterSpec.required("pose_patch_embedding.bias", d));
        linearSpecs(specs, "text_embedding.0", d, config.textDim());
        linearSpecs(specs, "text_embedding.2", d, d);
        linearSpecs(specs, "time_embedding.0", d, config.freqDim());
        linearSpecs(specs, "time_embedding.2", d, d);
        linearSpecs(specs, "time_projection.1", 6L * d, d);
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "blocks." + i + ".";
            specs.add(ParameterSpec.required(p + "modulation", 1, 6, d));
            for (String n : List.of("q", "k", "v", "o")) {
                linearSpecs(specs, p + "self_attn." + n, d, d);
            }
            specs.add(ParameterSpec.required(p + "self_attn.norm_q.weight", d));
            specs.add(ParameterSpec.required(p + "self_attn.norm_k.weight", d));
            specs.add(ParameterSpec.required(p + "norm3.weight", d));
            specs.add(ParameterSpec.required(p + "norm3.bias", d));
            for (String n : List.of("q", "k", "v", "o")) {
                linearSpecs(specs, p + "cross_attn." + n, d, d);
            }
            specs.add(ParameterSpec.required(p + "cross_attn.norm_q.weight", d));
            specs.add(ParameterSpec.required(p + "cross_attn.norm_k.weight", d));
            linearSpecs(specs, p + "cross_attn.k_img", d, d);
            linearSpecs(specs, p + "cross_attn.v_img", d, d);
            specs.add(ParameterSpec.required(p + "cross_attn.norm_k_img.weight", d));
            linearSpecs(specs, p + "ffn.0", config.ffnDim(), d);
            linearSpecs(specs, p + "ffn.2", d, config.ffnDim());
        }
        specs.add(ParameterSpec.required("head.modulation", 1, 2, d));
        linearSpecs(specs, "head.head", (long) DiTConfig.OUT_DIM * patchIn, d);
        specs.add(ParameterSpec.required("img_emb.proj.0.weight", DiTConfig.CLIP_DIM));
        specs.add(ParameterSpec.required("img_emb.proj.0.bias", DiTConfig.CLIP_DIM));
        linearSpecs(specs, "img_emb.proj.1", DiTConfig.CLIP_DIM, DiTConfig.CLIP_DIM);
        linearSpecs(specs, "img_emb.proj.3", d, DiTConfig.CLIP_DIM);
        specs.add(ParameterSpec.required("img_emb.proj.4.weight", d));
        specs.add(ParameterSpec.required("img_emb.proj.4.bias", d));
        specs.addAll(motionEncoder.parameters());
        for (FaceAdapterBlock block : faceBlocks) {
            specs.addAll(block.parameters());
        }
        specs.addAll(faceEncoder.parameters());
        return specs;
    }

    private List<ParameterGroup> buildGroups() {
        List<ParameterGroup> result = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String blockPrefix = blockGroup(i) + ".";
            String facePrefix = i % DiTConfig.FACE_BLOCK_EVERY == 0
                    ? faceBlockPrefix(i / DiTConfig.FACE_BLOCK_EVERY) : null;
            List<String> keys = new ArrayList<>();
            for (ParameterSpec spec : parameters) {
                if (spec.key().startsWith(blockPrefix) || facePrefix != null && spec.key().startsWith(facePrefix)) {
                    keys.add(spec.key());
                }
            }
            result.add(new ParameterGroup(blockGroup(i), keys));
        }
        return result;
    }

    private static void linearSpecs(List<ParameterSpec> specs, String module, long out, long in) {
        specs.add(ParameterSpec.required(module + ".weight", out, in));
        specs.add(ParameterSpec.required(module + ".bias", out));
    }

    // ------------------------------------------------------------------------------------------ checks

    private static Tensor required(Map<String, Tensor> inputs, String name) {
        Tensor t = inputs.get(name);
        if (t == null) {
            throw new IllegalArgumentException("WanAnimateDiT needs input '" + name + "'; given " + inputs.keySet());
        }
        return t;
    }

    private static void expectRank(String name, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException("input '" + name + "' must have rank " + rank + ", got shape "
                    + Arrays.toString(t.shape()));
        }
    }

    private static void expectShape(String name, Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("input '" + name + "' must have shape " + Arrays.toString(shape)
                    + ", got " + Arrays.toString(t.shape()));
        }
    }
}
