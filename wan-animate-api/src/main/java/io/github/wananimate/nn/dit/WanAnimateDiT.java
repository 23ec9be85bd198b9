package io.github.wananimate.nn.dit;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterGroup;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.face.FaceAdapterBlock;
import io.github.wananimate.nn.face.FaceEncoder;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.layers.Attention;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.LayerNorm;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.RmsNorm;
import io.github.wananimate.nn.layers.Weight;
import io.github.wananimate.tensor.DType;
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
 * <p>Precision (§1.6). Built for a {@link Precision}: every weight is stored in {@link Precision#weights()} (the
 * original loads the whole DiT with {@code param_dtype}); the layers the original runs under bf16 autocast — the
 * Q/K/V/O, FFN, text/image embedding and face-adapter Linears, the patch convolutions, the face-encoder convolutions
 * and attention — compute in {@link Precision#compute()} with float32 accumulation; the time embedding and
 * projection, the modulation adds and gated residuals, the residual stream, LayerNorm/RMSNorm, the head and the
 * output stay float32 (weights up-cast). The sinusoid and RoPE angles are computed on the host in float64; the motion
 * encoder's convolutions and fc chain run in the reduced dtype too (§3.1). In {@link Precision#FP32}
 * this is a float32 superset of the reference: float32-rounding agreement with the original run in float32 (the
 * golden fixtures) and bf16-level (about 1e-2 relative) differences from the GPU original.
 */
public final class WanAnimateDiT implements Network {

    /** Input: the noisy latent {@code [16, T', h, w]}. */
    public static final String X = "x";
    /** Input: the conditioning {@code [20, T', h, w]} (mask and reference/clip latents). */
    public static final String Y = "y";
    /** Input: the timestep's sinusoidal embedding. */
    public static final String TIMESTEP_SINUSOID = "timestep_sinusoid";
    /** Input: the text context {@code [L_txt, text_dim]}. */
    public static final String CONTEXT = "context";
    /** Input: the CLIP feature {@code [1, 257, 1280]}. */
    public static final String CLIP_FEA = "clip_fea";
    /** Input: the pose latents {@code [1, 16, T'−1, h, w]}. */
    public static final String POSE_LATENTS = "pose_latents";
    /** Input: face crops {@code [1, 3, T, 512, 512]} (when the DiT encodes motion itself). */
    public static final String FACE_PIXEL_VALUES = "face_pixel_values";
    /** Optional replacement of {@link #FACE_PIXEL_VALUES}: precomputed motion codes {@code [T, 512]}. */
    public static final String FACE_MOTION = "face_motion";

    /** Output: the velocity {@code [16, T', h, w]}. */
    public static final String OUTPUT = "output";
    /** Output (intermediates): the motion codes of the face crops. */
    public static final String MOTION = "motion";
    /** Output (intermediates): the face encoder's tokens. */
    public static final String FACE_ENCODER_OUT = "face_encoder_out";
    /** Output (intermediates): the time embedding. */
    public static final String E0 = "e0";
    /** Output (intermediates): block 0's result. */
    public static final String BLOCK0_OUT = "block0_out";
    /** Output (intermediates): the stream after block 0's face adapter. */
    public static final String BLOCK0_AFTER_FACE_ADAPTER = "block0_after_face_adapter";

    /** Face frames per motion-encoder call, as the original batches them (no numerical effect; bounds memory). */
    private static final int FACE_BATCH = 8;
    private static final int FACE_SIZE = 512;
    /** Face tokens per latent frame: 4 groups + the padding token (§3.2). */
    private static final int FACE_TOKENS = 5;
    private static final double IMG_EMB_EPS = 1e-5;
    private static final int PATCH = 2;

    private final DiTConfig config;
    private final Precision precision;
    private final boolean intermediates;
    private final Linear patchEmbedding;
    private final Linear posePatchEmbedding;
    private final Linear text0;
    private final Linear text2;
    private final Linear time0;
    private final Linear time2;
    private final Linear timeProjection;
    private final LayerNorm imageNormIn;
    private final Linear image1;
    private final Linear image3;
    private final LayerNorm imageNormOut;
    private final List<Block> blocks;
    private final Weight headModulation;
    private final LayerNorm headNorm;
    private final Linear head;
    private final MotionEncoder motionEncoder;
    private final FaceEncoder faceEncoder;
    private final List<FaceAdapterBlock> faceBlocks;
    private final List<ParameterSpec> parameters;
    private final List<ParameterGroup> groups;

    /**
     * The float32 denoiser with the single output {@code output}.
     *
     * @param config the configuration
     */
    public WanAnimateDiT(DiTConfig config) {
        this(config, false);
    }

    /**
     * The float32 denoiser; see {@link #WanAnimateDiT(DiTConfig, boolean, Precision)}.
     *
     * @param config the configuration
     * @param intermediates whether to output intermediates too
     */
    public WanAnimateDiT(DiTConfig config, boolean intermediates) {
        this(config, intermediates, Precision.FP32);
    }

    /**
     * @param config the configuration
     * @param intermediates also output {@code motion}, {@code face_encoder_out}, {@code e0}, {@code block0_out} and
     *                      {@code block0_after_face_adapter} (for parity checks: at 14B size the block outputs are
     *                      1.5 GB each, so the sampler leaves this off)
     * @param precision     weights and autocast dtype (see the class comment)
     */
    public WanAnimateDiT(DiTConfig config, boolean intermediates, Precision precision) {
        this.config = config;
        this.precision = precision;
        this.intermediates = intermediates;
        int d = config.dim();
        DType stored = precision.weights();
        DType low = precision.compute();
        DType f32 = DType.F32;
        this.patchEmbedding = Linear.patches("patch_embedding", d, DiTConfig.IN_DIM, stored, low, 1, PATCH, PATCH);
        this.posePatchEmbedding = Linear.patches("pose_patch_embedding", d, DiTConfig.POSE_DIM, stored, low, 1, PATCH,
                PATCH);
        this.text0 = new Linear("text_embedding.0", d, config.textDim(), stored, low);
        this.text2 = new Linear("text_embedding.2", d, d, stored, low);
        this.time0 = new Linear("time_embedding.0", d, config.freqDim(), stored, f32);
        this.time2 = new Linear("time_embedding.2", d, d, stored, f32);
        this.timeProjection = new Linear("time_projection.1", 6L * d, d, stored, f32);
        this.imageNormIn = LayerNorm.affine("img_emb.proj.0", DiTConfig.CLIP_DIM, IMG_EMB_EPS, stored);
        this.image1 = new Linear("img_emb.proj.1", DiTConfig.CLIP_DIM, DiTConfig.CLIP_DIM, stored, low);
        this.image3 = new Linear("img_emb.proj.3", d, DiTConfig.CLIP_DIM, stored, low);
        this.imageNormOut = LayerNorm.affine("img_emb.proj.4", d, IMG_EMB_EPS, stored);
        List<Block> list = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            list.add(new Block("blocks." + i + "."));
        }
        this.blocks = List.copyOf(list);
        this.headModulation = new Weight("head.modulation", stored, 1, 2, d);
        this.headNorm = LayerNorm.plain(config.eps());
        this.head = new Linear("head.head", (long) DiTConfig.OUT_DIM * PATCH * PATCH, d, stored, f32);
        this.motionEncoder = new MotionEncoder("motion_encoder.", precision);
        this.faceEncoder = new FaceEncoder("face_encoder.", d, precision);
        List<FaceAdapterBlock> adapters = new ArrayList<>();
        for (int k = 0; k < config.faceBlocks(); k++) {
            adapters.add(new FaceAdapterBlock(faceBlockPrefix(k), d, config.numHeads(), precision));
        }
        this.faceBlocks = List.copyOf(adapters);
        List<Layer> layers = new ArrayList<>(List.of(patchEmbedding, posePatchEmbedding, text0, text2, time0, time2,
                timeProjection));
        layers.addAll(blocks);
        layers.addAll(List.of(headModulation, head, imageNormIn, image1, image3, imageNormOut));
        layers.addAll(faceBlocks);
        layers.add(faceEncoder);
        List<ParameterSpec> specs = new ArrayList<>(Layers.parameters(layers));
        specs.addAll(motionEncoder.parameters());
        this.parameters = List.copyOf(specs);
        List<ParameterGroup> groupList = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            List<Layer> read = new ArrayList<>(List.of(blocks.get(i)));
            if (i % DiTConfig.FACE_BLOCK_EVERY == 0) {
                read.add(faceBlocks.get(i / DiTConfig.FACE_BLOCK_EVERY));
            }
            groupList.add(new ParameterGroup(blockGroup(i),
                    Layers.parameters(read).stream().map(ParameterSpec::key).toList()));
        }
        this.groups = List.copyOf(groupList);
    }

    /** {@return its configuration} */
    public DiTConfig config() {
        return config;
    }

    /** {@return the compute precision} */
    public Precision precision() {
        return precision;
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

    /**
     * {@return the name of block {@code index}'s parameter group}
     *
     * @param index the index, 0-based
     */
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
     *
     * @param timestep the timestep
     * @param freqDim the frequency embedding width
     * @return the timestep sinusoid
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
            Tensor t = patchEmbed(ops, ops.concat(0, x, y), patchEmbedding);
            Tensor posed = patchEmbed(ops, ops.reshape(pose, DiTConfig.POSE_DIM, frames - 1, h, w), posePatchEmbedding);
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

        // §1.3 step 6: time embedding e [1, D] and the block modulation e0 [6, D], float32
        Tensor e = time2.apply(ops, ops.silu(time0.apply(ops, ops.reshape(sinusoid, 1, config.freqDim()))));
        Tensor e0 = ops.reshape(timeProjection.apply(ops, ops.silu(e)), 6, dim);
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
            Tensor block0 = ops.scoped(() -> blocks.get(0).forward(ops, patches, e0, text, image, cos, sin));
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
            Tensor out = blocks.get(i).forward(ops, in, e0, text, image, cos, sin);
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
    private static Tensor patchEmbed(Ops ops, Tensor u, Linear embedding) {
        long[] s = u.shape();
        long c = s[0];
        Tensor grid = ops.reshape(u, c, s[1], s[2] / PATCH, PATCH, s[3] / PATCH, PATCH);
        Tensor vectors = ops.reshape(ops.permute(grid, 1, 2, 4, 0, 3, 5), -1, c * PATCH * PATCH);
        return embedding.apply(ops, vectors);
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
        return text2.apply(ops, ops.geluTanh(text0.apply(ops, padded)));
    }

    /** MLPProj: LN → Linear → GELU(erf) → Linear → LN, both LayerNorms affine with eps 1e-5. */
    private Tensor embedImage(Ops ops, Tensor clip) {
        Tensor c = imageNormIn.apply(ops, ops.reshape(clip, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM));
        c = image3.apply(ops, ops.geluErf(image1.apply(ops, c)));
        return imageNormOut.apply(ops, c);
    }

    /** One WanAnimateAttentionBlock (§1.4), keys {@code blocks.i.*}. */
    private final class Block implements Layer {

        private final Weight modulation;
        private final LayerNorm norm1;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear o;
        private final RmsNorm normQ;
        private final RmsNorm normK;
        private final LayerNorm norm3;
        private final Linear crossQ;
        private final Linear crossK;
        private final Linear crossV;
        private final Linear crossO;
        private final Linear crossKImg;
        private final Linear crossVImg;
        private final RmsNorm crossNormQ;
        private final RmsNorm crossNormK;
        private final RmsNorm crossNormKImg;
        private final LayerNorm norm2;
        private final Linear ffn0;
        private final Linear ffn2;
        private final Attention attention;
        private final List<ParameterSpec> parameters;

        Block(String p) {
            int d = config.dim();
            double eps = config.eps();
            DType stored = precision.weights();
            DType low = precision.compute();
            modulation = new Weight(p + "modulation", stored, 1, 6, d);
            norm1 = LayerNorm.plain(eps);
            q = new Linear(p + "self_attn.q", d, d, stored, low);
            k = new Linear(p + "self_attn.k", d, d, stored, low);
            v = new Linear(p + "self_attn.v", d, d, stored, low);
            o = new Linear(p + "self_attn.o", d, d, stored, low);
            normQ = new RmsNorm(p + "self_attn.norm_q", d, eps, stored);
            normK = new RmsNorm(p + "self_attn.norm_k", d, eps, stored);
            norm3 = LayerNorm.affine(p + "norm3", d, eps, stored);
            crossQ = new Linear(p + "cross_attn.q", d, d, stored, low);
            crossK = new Linear(p + "cross_attn.k", d, d, stored, low);
            crossV = new Linear(p + "cross_attn.v", d, d, stored, low);
            crossO = new Linear(p + "cross_attn.o", d, d, stored, low);
            crossNormQ = new RmsNorm(p + "cross_attn.norm_q", d, eps, stored);
            crossNormK = new RmsNorm(p + "cross_attn.norm_k", d, eps, stored);
            crossKImg = new Linear(p + "cross_attn.k_img", d, d, stored, low);
            crossVImg = new Linear(p + "cross_attn.v_img", d, d, stored, low);
            crossNormKImg = new RmsNorm(p + "cross_attn.norm_k_img", d, eps, stored);
            norm2 = LayerNorm.plain(eps);
            ffn0 = new Linear(p + "ffn.0", config.ffnDim(), d, stored, low);
            ffn2 = new Linear(p + "ffn.2", d, config.ffnDim(), stored, low);
            attention = new Attention(low);
            parameters = Layers.parameters(List.of(modulation, q, k, v, o, normQ, normK, norm3, crossQ, crossK, crossV,
                    crossO, crossNormQ, crossNormK, crossKImg, crossVImg, crossNormKImg, ffn0, ffn2));
        }

        @Override
        public List<ParameterSpec> parameters() {
            return parameters;
        }

        /** The block on the residual stream {@code [L, D]}. */
        Tensor forward(Ops ops, Tensor x, Tensor e0, Tensor text, Tensor image, Tensor cos, Tensor sin) {
            // rows: 0 shift / 1 scale / 2 gate (self-attention), 3 shift / 4 scale / 5 gate (FFN)
            Tensor m = ops.add(ops.reshape(modulation.get(ops), 6, config.dim()), e0);
            Tensor[] mod = new Tensor[6];
            for (int r = 0; r < 6; r++) {
                mod[r] = ops.slice(m, 0, r, r + 1);
            }

            Tensor a = modulate(ops, norm1.apply(ops, x), mod[1], mod[0]);
            Tensor qs = normQ.apply(ops, q.apply(ops, a));
            Tensor ks = normK.apply(ops, k.apply(ops, a));
            Tensor vs = v.apply(ops, a);
            Tensor sa = mergeHeads(ops, attend(ops, heads(ops, rotate(ops, qs, cos, sin)),
                    heads(ops, rotate(ops, ks, cos, sin)), heads(ops, vs)));
            x = ops.add(x, ops.mul(o.apply(ops, sa), mod[2]));

            // cross-attention: no gate, no modulation; image and text keys in two separate softmaxes, summed
            Tensor c = norm3.apply(ops, x);
            Tensor cq = heads(ops, crossNormQ.apply(ops, crossQ.apply(ops, c)));
            Tensor kt = crossNormK.apply(ops, crossK.apply(ops, text));
            Tensor vt = crossV.apply(ops, text);
            Tensor ki = crossNormKImg.apply(ops, crossKImg.apply(ops, image));
            Tensor vi = crossVImg.apply(ops, image);
            Tensor ca = ops.add(mergeHeads(ops, attend(ops, cq, heads(ops, kt), heads(ops, vt))),
                    mergeHeads(ops, attend(ops, cq, heads(ops, ki), heads(ops, vi))));
            x = ops.add(x, crossO.apply(ops, ca));

            Tensor f = modulate(ops, norm2.apply(ops, x), mod[4], mod[3]);
            Tensor ffn = ffn2.apply(ops, ops.geluTanh(ffn0.apply(ops, f)));
            return ops.add(x, ops.mul(ffn, mod[5]));
        }

        private Tensor attend(Ops ops, Tensor qh, Tensor kh, Tensor vh) {
            return attention.apply(ops, qh, kh, vh, null, 1.0 / Math.sqrt(config.headDim()));
        }
    }

    /** {@code LN(x)·(1 + M1) + M0} of §1.3 step 11: shift row 0, scale row 1 of {@code head.modulation + e}. */
    private Tensor head(Ops ops, Tensor x, Tensor e) {
        Tensor m = ops.add(ops.reshape(headModulation.get(ops), 2, config.dim()), e);
        Tensor normed = modulate(ops, headNorm.apply(ops, x), ops.slice(m, 0, 1, 2), ops.slice(m, 0, 0, 1));
        return head.apply(ops, normed);
    }

    /** Row (f, i, j) of {@code [L, 64]} read as {@code [q=2][r=2][c=16]} → {@code V[c, f, 2i+q, 2j+r]}. */
    private static Tensor unpatchify(Ops ops, Tensor out, long frames, long rows, long cols) {
        Tensor grid = ops.reshape(out, frames, rows, cols, PATCH, PATCH, DiTConfig.OUT_DIM);
        return ops.reshape(ops.permute(grid, 5, 0, 1, 3, 2, 4), DiTConfig.OUT_DIM, frames, rows * PATCH, cols * PATCH);
    }

    private static Tensor modulate(Ops ops, Tensor normed, Tensor scale, Tensor shift) {
        return ops.add(ops.mul(normed, ops.add(scale, 1.0)), shift);
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
