package io.github.wananimate.api;

import io.github.wananimate.errors.ModelFileException;
import io.github.wananimate.io.Closeables;
import io.github.wananimate.memory.MemoryBudgetException;
import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.model.ModelComponents;
import io.github.wananimate.model.OnDemandUmt5;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.pipeline.ClipPlan;
import io.github.wananimate.pipeline.Job;
import io.github.wananimate.pipeline.Lease;
import io.github.wananimate.pipeline.OnDemand;
import io.github.wananimate.pipeline.PixelVideo;
import io.github.wananimate.pipeline.WanAnimatePipeline;
import io.github.wananimate.pipeline.WanVae;
import io.github.wananimate.sampling.NoiseSource;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.text.TextEncoder;
import io.github.wananimate.video.Frame;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.lora.LoraAdapter;
import io.github.wananimate.weights.lora.LoraMergedSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public entry point: a Wan-Animate model bound to a backend, generating videos in animation mode
 * ({@link #animate}) or replacement mode ({@link #replace}) exactly as {@code WanAnimate.generate()} of the original
 * does (PIPELINE.md §2). Frames go to a {@link FrameSink} clip by clip as they are decoded, so memory does not grow
 * with the video's length.
 *
 * <pre>{@code
 * try (WanAnimate wan = WanAnimate.builder().modelFolder(Path.of("Wan2.2-Animate-14B")).device("cuda").build()) {
 *     GenerationResult r = wan.animate(AnimationRequest.builder(signals).seed(42).build(), sink);
 * }
 * }</pre>
 *
 * <p>Networks: the VAE, the CLIP tower and the DiT's motion encoder are bound when the model is built (under a
 * memory budget the VAE and the CLIP tower only while they encode or decode, in the room the DiT's activations
 * take while it denoises);
 * the DiT is
 * bound at the first generation, and bound again (with the Relighting LoRA merged, §2.15) only when a replacement
 * request asks for the LoRA and the previous one did not, or the other way round. The umT5 text encoder is bound
 * only on a text-cache miss and released right after the prompts are encoded (the original offloads it the same
 * way), unless {@link Builder#keepTextEncoderLoaded} is set.
 *
 * <p>One generation runs at a time per instance (calls are serialised). Close the instance to release native memory.
 */
public final class WanAnimate implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WanAnimate.class);

    private final Backend backend;
    private final boolean ownsBackend;
    private final ModelComponents model;
    private final DiTConfig ditConfig;
    private final boolean keepTextEncoderLoaded;
    private final Precision precision;
    private final LongFunction<NoiseSource> noise;
    /** The networks bound here, to close most recent first. */
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private final LoadedNetwork motionEncoder;
    /** Bound for the whole run, or under a memory budget only while it encodes or decodes. */
    private final Lease<WanVae> vae;
    /** Bound for the whole run, or under a memory budget only while it encodes the reference. */
    private final Lease<LoadedNetwork> clip;

    /** The device-memory budget in bytes; 0 for none (everything resident). */
    private final long memoryBudget;

    private LoadedNetwork dit;
    /** The DiT's streamed parameter groups as bound (empty: all resident). */
    private Set<String> ditStreamed = Set.of();
    /** The LoRA strength merged into {@link #dit}; null when none is. */
    private Double ditLoraStrength;
    /** The backend's width of each DiT key's weight, and the keys it holds as float8 codes; built on first use. */
    private Map<String, Integer> heldBytes;
    private Set<String> float8Keys;
    private boolean closed;

    private WanAnimate(Builder b, Backend backend, boolean ownsBackend, ModelComponents model) {
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.model = model;
        this.ditConfig = model.ditConfig();
        this.keepTextEncoderLoaded = b.keepTextEncoderLoaded;
        this.precision = b.precision != null ? b.precision : Precision.defaultFor(backend.device());
        this.noise = b.noise;
        this.memoryBudget = b.memoryBudget;
        if (memoryBudget > 0) {
            // the smallest generation (16×16 pixels, one 5-frame clip): what no request can go below
            ResidencyPlan least = MemoryModel.planBudgetedGeneration(new WanAnimateDiT(ditConfig, false, precision),
                    model.vaeConfig(), model.clipConfig(), 16, 16, 5, memoryBudget, heldBytesPerElement(false));
            if (least.streams() && !backend.streamsParameterGroups()) {
                throw new MemoryBudgetException("a device-memory budget of " + MemorySize.format(memoryBudget)
                        + " needs DiT blocks streamed, which the " + backend.name() + " backend on "
                        + backend.device() + " cannot do; everything resident needs at least "
                        + MemorySize.format(least.allResidentBytes()), least.allResidentBytes());
            }
        }
        // Key names, shapes and the whole checkpoint are checked now, before minutes of binding.
        ParameterBinding.validateAndPrepare(new WanAnimateDiT(ditConfig, false), model.ditWeights());
        try {
            this.motionEncoder = keep(backend.load(new MotionEncoder("motion_encoder.", precision),
                    model.ditWeights()));
            Supplier<WanVae> bindVae = () -> WanVae.load(backend, model.vaeWeights(), model.vaeConfig());
            Supplier<LoadedNetwork> bindClip = () -> backend.load(new ClipVisionEncoder(model.clipConfig()),
                    model.clipWeights());
            this.vae = memoryBudget > 0 ? keep(new OnDemand<>("VAE", bindVae)) : Lease.resident(keep(bindVae.get()));
            this.clip = memoryBudget > 0 ? keep(new OnDemand<>("CLIP", bindClip))
                    : Lease.resident(keep(bindClip.get()));
        } catch (RuntimeException e) {
            throw Closeables.closeAll(owned, e);
        }
        LOG.info("Wan-Animate ready on {} ({}): DiT {}, VAE {}, CLIP {}", backend.name(), backend.device(), ditConfig,
                model.vaeConfig(), model.clipConfig());
    }

    /** {@return a builder with no model set, the best available backend, the CPU and the device's precision} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The official model folder on the best available backend, on the CPU, in the CPU's precision.
     *
     * @param modelFolder see {@link Builder#modelFolder}
     * @return the model, its VAE, CLIP and motion encoder bound
     */
    public static WanAnimate open(Path modelFolder) {
        return builder().modelFolder(modelFolder).build();
    }

    /** {@return the backend's name ({@code djl}, {@code onnx})} */
    public String backendName() {
        return backend.name();
    }

    /** {@return the precision this model runs in} */
    public Precision precision() {
        return precision;
    }

    /** {@return the device in words ({@code cpu}, {@code cuda:0})} */
    public String device() {
        return backend.device();
    }

    /**
     * Animation: the reference character performs the driving motion; no listener, no cancellation. See
     * {@link #animate(AnimationRequest, FrameSink, ProgressListener, CancellationToken)}.
     *
     * @param request the validated request
     * @param sink receives the output frames in order; closed in every case
     * @return frame count, size, fps, clips, seed and time of the generation
     */
    public GenerationResult animate(AnimationRequest request, FrameSink sink) {
        return animate(request, sink, ProgressListener.NONE, null);
    }

    /**
     * Generates the animation of {@code request}, handing the output frames (as many as the driving frames, at the
     * pose size) to {@code sink} in order; then calls {@link FrameSink#finish()}, and {@link FrameSink#close()} in
     * every case.
     *
     *
     * @param request the validated request
     * @param sink receives the output frames in order; closed in every case
     * @param listener told after every denoising step and stage change; returning false cancels
     * @param token cancels from another thread (null: none)
     * @return frame count, size, fps, clips, seed and time of the generation
     * @throws GenerationCancelledException when cancelled (between model calls)
     * @throws FrameSinkException when the sink fails, naming the frame
     */
    public GenerationResult animate(AnimationRequest request, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        return generate(request, sink, listener, token);
    }

    /**
     * Replacement: the reference character replaces the driving person; no listener, no cancellation. See
     * {@link #replace(ReplacementRequest, FrameSink, ProgressListener, CancellationToken)}.
     *
     * @param request the validated request
     * @param sink receives the output frames in order; closed in every case
     * @return frame count, size, fps, clips, seed and time of the generation
     */
    public GenerationResult replace(ReplacementRequest request, FrameSink sink) {
        return replace(request, sink, ProgressListener.NONE, null);
    }

    /**
     * Generates the replacement of {@code request} (the Relighting LoRA merged when the request asks for it); the
     * frames go to {@code sink} as in {@link #animate(AnimationRequest, FrameSink, ProgressListener, CancellationToken)}.
     *
     *
     * @param request the validated request
     * @param sink receives the output frames in order; closed in every case
     * @param listener told after every denoising step and stage change; returning false cancels
     * @param token cancels from another thread (null: none)
     * @return frame count, size, fps, clips, seed and time of the generation
     * @throws IllegalStateException when the request asks for the Relighting LoRA and the model has none
     */
    public GenerationResult replace(ReplacementRequest request, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        return generate(request, sink, listener, token);
    }

    private synchronized GenerationResult generate(GenerationRequest request, FrameSink sink,
            ProgressListener listener, CancellationToken token) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        try (FrameSink output = sink) {
            if (closed) {
                throw new IllegalStateException("this WanAnimate is closed");
            }
            if (token != null) {
                token.throwIfCancelled();
            }
            // generate.py: seed −1 → random.randint(0, sys.maxsize).
            long seed = request.seed() == GenerationRequest.RANDOM_SEED
                    ? ThreadLocalRandom.current().nextLong(Long.MAX_VALUE) : request.seed();
            if (memoryBudget > 0 && !backend.device().startsWith("cpu")) {
                model.onDemandUmt5().ifPresent(umt5 -> umt5.placeOnCpu(
                        !MemoryModel.textEncoderFits(umt5.deviceBytes(), residencyPlan(request))));
            }
            WanAnimatePipeline.TextConditioning text = encodeText(request);
            Double lora = request instanceof ReplacementRequest r && r.relightingLora()
                    ? r.relightingLoraStrength() : null;
            WanAnimatePipeline pipeline = new WanAnimatePipeline(new WanAnimatePipeline.Networks(ditFor(lora, request),
                    ditConfig, motionEncoder, vae, clip, model.clipConfig(), backend::upload), precision,
                    decodeTiling(request));
            ProgressTracker tracker = new ProgressTracker(listener, token, System::nanoTime);
            ClipPlan plan = pipeline.generate(job(request), text, noise.apply(seed), (index, clipIndex, frame) -> {
                try {
                    output.accept(index, toFrame(frame));
                } catch (IOException | RuntimeException e) {
                    throw new FrameSinkException(index, clipIndex, e);
                }
            }, tracker);
            GenerationResult result = new GenerationResult(request.frameCount(), request.signals().width(),
                    request.signals().height(), request.outputFps(), plan.clipCount(), seed, tracker.elapsed());
            try {
                output.finish();
            } catch (IOException e) {
                throw new UncheckedIOException("the frame sink failed to finish after " + result.frameCount()
                        + " frames: " + e.getMessage(), e);
            }
            LOG.info("generated {} frames ({} clips) in {}", result.frameCount(), result.clipCount(),
                    result.elapsed());
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("the frame sink failed to close: " + e.getMessage(), e);
        }
    }

    /** The pipeline's view of a validated request. */
    static Job job(GenerationRequest request) {
        MotionSignals signals = request.signals();
        return new Job(signals.reference(), signals.pose(), signals.face(), signals.background().orElse(null),
                signals.mask().orElse(null), request.isReplacement(), request.clipLength(),
                request.continuationFrames(), request.solver().id(), request.steps(), request.shift(),
                request.guideScale());
    }

    /** §2.3: the prompt, and the negative prompt when guidance runs. */
    private WanAnimatePipeline.TextConditioning encodeText(GenerationRequest request) {
        try {
            TextEncoder text = model.textEncoder();
            HostTensor context = text.encode(request.prompt());
            HostTensor negative = request.usesGuidance() ? text.encode(request.negativePrompt()) : null;
            return new WanAnimatePipeline.TextConditioning(context, negative);
        } finally {
            if (!keepTextEncoderLoaded) {
                model.onDemandUmt5().ifPresent(OnDemandUmt5::release);
            }
        }
    }

    /**
     * The DiT with {@code loraStrength} of the Relighting LoRA merged (null: none) and, under a memory budget, the
     * blocks the request's size leaves room for resident; bound again only when either changes.
     *
     * @throws MemoryBudgetException when the budget cannot hold this request, naming the minimum
     */
    private LoadedNetwork ditFor(Double loraStrength, GenerationRequest request) {
        WanAnimateDiT network = new WanAnimateDiT(ditConfig, false, precision);
        Set<String> streamed = Set.of();
        if (memoryBudget > 0) {
            ResidencyPlan plan = residencyPlan(request);
            LOG.info("DiT residency for {}x{}, clips of {} frames: {}", request.signals().width(),
                    request.signals().height(), request.clipLength(), plan.describe());
            if (plan.streams() && !backend.streamsParameterGroups()) {
                throw new MemoryBudgetException("the device-memory budget needs " + plan.streamedGroups().size()
                        + " DiT blocks streamed, which the " + backend.name() + " backend on " + backend.device()
                        + " cannot do; everything resident needs " + MemorySize.format(plan.allResidentBytes()),
                        plan.allResidentBytes());
            }
            streamed = plan.streamedSet();
        }
        if (dit != null && Objects.equals(ditLoraStrength, loraStrength) && ditStreamed.equals(streamed)) {
            return dit;
        }
        LoraAdapter lora = loraStrength == null ? null : model.relightingLora().adapter();
        if (dit != null) {
            dit.close();
            dit = null;
        }
        ParameterSource weights = lora == null ? model.ditWeights()
                : new LoraMergedSource(model.ditWeights(), lora, loraStrength);
        LOG.info("binding the DiT{} on {}", loraStrength == null ? "" : " with the Relighting LoRA at "
                + loraStrength, backend.name());
        dit = backend.load(network, weights, streamed);
        ditStreamed = streamed;
        ditLoraStrength = loraStrength;
        return dit;
    }

    private static Frame toFrame(HostTensor frame) {
        long[] s = frame.shape();
        return PixelVideo.toFrame(frame.reshape(s[0], 1, s[1], s[2]), 0);
    }

    private <T extends AutoCloseable> T keep(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        if (dit != null) {
            owned.push(dit);
            dit = null;
        }
        failure = Closeables.closeAll(owned, failure);
        failure = Closeables.close(model, failure);
        if (ownsBackend) {
            failure = Closeables.close(backend, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The DiT's residency under the memory budget for {@code request}'s size. */
    private ResidencyPlan residencyPlan(GenerationRequest request) {
        boolean loraMerged = request instanceof ReplacementRequest r && r.relightingLora();
        return MemoryModel.planBudgetedGeneration(new WanAnimateDiT(ditConfig, false, precision), model.vaeConfig(),
                model.clipConfig(), request.signals().width(), request.signals().height(), request.clipLength(),
                memoryBudget, heldBytesPerElement(loraMerged));
    }

    /** How {@code request}'s clips are decoded: whole frames unless the budget needs tiles. */
    private VaeTiling decodeTiling(GenerationRequest request) {
        if (memoryBudget <= 0) {
            return VaeTiling.WHOLE_FRAME;
        }
        boolean loraMerged = request instanceof ReplacementRequest r && r.relightingLora();
        VaeTiling tiling = MemoryModel.vaeDecodeTiling(new WanAnimateDiT(ditConfig, false, precision),
                model.vaeConfig(), model.clipConfig(), request.signals().width(), request.signals().height(),
                request.clipLength(), memoryBudget, heldBytesPerElement(loraMerged), MemoryModel.FLOAT32_BYTES);
        if (tiling.splits(request.signals().height() / model.vaeConfig().spaceStride(),
                request.signals().width() / model.vaeConfig().spaceStride())) {
            LOG.info("the budget of {} cannot hold a whole-frame VAE decode of {}x{}: decoding in tiles of {} latent "
                    + "pixels (the output differs from an untiled decode near the seams)",
                    MemorySize.format(memoryBudget), request.signals().width(), request.signals().height(),
                    tiling.tile());
        }
        return tiling;
    }

    /**
     * The bytes per element the backend will hold each DiT weight in: one for the checkpoint's float8 weights where
     * the backend keeps their codes, none of them with the Relighting LoRA merged (merged weights are bound
     * dequantised; counting all of them so is the safe side); else what the backend holds the weight's stored dtype
     * in ({@link Backend#heldBytesPerElement}).
     */
    private ToIntFunction<String> heldBytesPerElement(boolean loraMerged) {
        if (heldBytes == null) {
            ParameterSource weights = model.ditWeights();
            Map<String, Integer> widths = new HashMap<>();
            Set<String> float8 = new HashSet<>();
            for (ParameterSpec spec : new WanAnimateDiT(ditConfig, false, precision).parameters()) {
                widths.put(spec.key(), backend.heldBytesPerElement(spec.dtype()));
                if (backend.keepsFloat8Codes() && weights.contains(spec.key())
                        && weights.float8(spec.key()).isPresent()) {
                    float8.add(spec.key());
                }
            }
            heldBytes = Map.copyOf(widths);
            float8Keys = Set.copyOf(float8);
        }
        return key -> !loraMerged && float8Keys.contains(key) ? MemoryModel.FLOAT8_BYTES
                : heldBytes.getOrDefault(key, MemoryModel.FLOAT32_BYTES);
    }

    /**
     * Builds a {@link WanAnimate}. Give a model folder, or the DiT, VAE and CLIP weights in memory (each in-memory
     * component overrides the folder's); the backend defaults to the best available one, the device to the CPU, the
     * precision to {@link Precision#defaultFor} the device (bf16 on CUDA as the original, fp32 on the CPU).
     */
    public static final class Builder {

        private Path modelFolder;
        private DiTConfig ditConfig;
        private ParameterSource ditWeights;
        private VaeConfig vaeConfig;
        private ParameterSource vaeWeights;
        private ClipVisionConfig clipConfig;
        private ParameterSource clipWeights;
        private ParameterSource relightingLora;
        private Double relightingLoraAlpha;
        private TextEncoder textEncoder;
        private Path textCache;
        private boolean keepTextEncoderLoaded;
        private String backendName;
        private Backend backend;
        private String device = "cpu";
        private int intraOpThreads;
        private Precision precision;
        private LongFunction<NoiseSource> noise = NoiseSource::seeded;
        private long memoryBudget;

        private Builder() {
        }

        /**
         * The device memory the model may use, in bytes (see {@link MemorySize#parse} for {@code "24G"}). The DiT
         * keeps as many blocks resident as fit next to the motion encoder and an activation reserve for the
         * request's size, which also holds the VAE and the CLIP tower while they encode or decode (they are bound
         * for those moments only; {@link MemoryModel#planBudgetedGeneration}); the other blocks stream from the mapped
         * checkpoint one at a time. Default: no budget, everything resident. A budget that cannot hold even one
         * streamed block plus activations is refused by {@link #build()} (and a request too large for it by
         * {@code animate}/{@code replace}) with a {@link MemoryBudgetException} naming the minimum.
         *
         * @param bytes the budget, positive
         * @return this builder
         */
        public Builder deviceMemoryBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("the device-memory budget must be positive, got " + bytes);
            }
            this.memoryBudget = bytes;
            return this;
        }

        /**
         * The official {@code Wan2.2-Animate-14B} folder (or one with the accepted single-file repacks): DiT with
         * {@code config.json}, {@code Wan2.1_VAE.pth}, the CLIP and umT5 checkpoints, the umT5 tokenizer and
         * {@code relighting_lora.ckpt}. Only the DiT, VAE and CLIP are required.
         *
         * @param folder the model folder
         * @return this builder
         */
        public Builder modelFolder(Path folder) {
            this.modelFolder = folder;
            return this;
        }

        /**
         * The DiT from memory (official key names, see {@link KeyMappings#toOfficial}); not closed by the model.
         *
         * @param config its configuration
         * @param weights its weights
         * @return this builder
         */
        public Builder dit(DiTConfig config, ParameterSource weights) {
            this.ditConfig = Objects.requireNonNull(config, "config");
            this.ditWeights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /**
         * The VAE from memory (official key names); not closed by the model.
         *
         * @param config its configuration
         * @param weights its weights
         * @return this builder
         */
        public Builder vae(VaeConfig config, ParameterSource weights) {
            this.vaeConfig = Objects.requireNonNull(config, "config");
            this.vaeWeights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /**
         * The CLIP tower from memory ({@code visual.*} keys); not closed by the model.
         *
         * @param config its configuration
         * @param weights its weights
         * @return this builder
         */
        public Builder clip(ClipVisionConfig config, ParameterSource weights) {
            this.clipConfig = Objects.requireNonNull(config, "config");
            this.clipWeights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /**
         * The Relighting LoRA from memory (PEFT or kohya layout, see {@link LoraAdapter}); not closed by the model.
         *
         * @param weights the LoRA's tensors
         * @return this builder
         */
        public Builder relightingLora(ParameterSource weights) {
            this.relightingLora = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /**
         * The alpha the Relighting LoRA (file or memory) is merged with, {@code W + strength·(alpha/r)·B·A}, for
         * modules without an {@code .alpha} tensor: for a LoRA that does not carry the alpha it was trained with.
         * Unset, the file's own value applies, else alpha = rank (see {@link LoraAdapter}). Checked at
         * {@link #build()}: a finite number > 0.
         *
         * @param alpha the alpha, finite and > 0
         * @return this builder
         */
        public Builder relightingLoraAlpha(double alpha) {
            this.relightingLoraAlpha = alpha;
            return this;
        }

        /**
         * The text encoder to use instead of the folder's umT5 (for example precomputed contexts,
         * {@link io.github.wananimate.text.PrecomputedTextEncoder}); its contexts are used as given.
         *
         * @param encoder turns a prompt into its context
         * @return this builder
         */
        public Builder textEncoder(TextEncoder encoder) {
            this.textEncoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /**
         * Folder of the on-disk text-embedding cache of the folder's umT5 (default
         * {@code ~/.cache/wan-animate/text-embeddings}).
         *
         * @param folder the cache folder, created when missing
         * @return this builder
         */
        public Builder textCache(Path folder) {
            this.textCache = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /**
         * Keep the umT5 encoder bound between generations (faster on a cache miss, 11 GB held). Default false.
         *
         * @param keep true to keep it bound
         * @return this builder
         */
        public Builder keepTextEncoderLoaded(boolean keep) {
            this.keepTextEncoderLoaded = keep;
            return this;
        }

        /**
         * The backend by name ({@code djl}, {@code onnx}); default: the best available one.
         *
         * @param name the backend's name
         * @return this builder
         */
        public Builder backend(String name) {
            this.backendName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * An already opened backend; the model does not close it (device and threads are then ignored).
         *
         * @param opened the backend to run on
         * @return this builder
         */
        public Builder backend(Backend opened) {
            this.backend = Objects.requireNonNull(opened, "opened");
            return this;
        }

        /**
         * {@code cpu} (default), {@code cuda} or {@code cuda:N}.
         *
         * @param name the device
         * @return this builder
         */
        public Builder device(String name) {
            this.device = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Threads for one operation; 0 (default) lets the runtime decide.
         *
         * @param threads 0 or more
         * @return this builder
         */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /**
         * The precision of the run ({@link Precision}): the DiT's weights are stored in it and its autocast layers
         * compute in it, and pixel conditioning is rounded to it. Default {@link Precision#defaultFor} the device.
         * {@link Precision#FP32} reproduces the float32 golden fixtures.
         *
         * @param value the precision
         * @return this builder
         */
        public Builder precision(Precision value) {
            this.precision = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * The latent noise for a seed (default {@link NoiseSource#seeded}: normal noise, deterministic per seed, not
         * the original's CUDA generator, which cannot be reproduced outside PyTorch). Not public: the noise source
         * type is internal to the pipeline.
         */
        Builder noise(LongFunction<NoiseSource> perSeed) {
            this.noise = Objects.requireNonNull(perSeed, "perSeed");
            return this;
        }

        /**
         * Opens the backend and the checkpoints and binds the VAE, CLIP and motion encoder.
         *
         * @throws io.github.wananimate.weights.WeightException naming every missing, unexpected or mis-shaped key,
         *     or the missing file
         * @throws ModelFileException when there is no text encoder (no umT5 checkpoint and tokenizer in the folder,
         *     none set with {@link #textEncoder})
         * @throws io.github.wananimate.errors.BackendUnavailableException when no backend is available
         * @return the model, its VAE, CLIP and motion encoder bound
         */
        public WanAnimate build() {
            if (relightingLoraAlpha != null && !(Double.isFinite(relightingLoraAlpha) && relightingLoraAlpha > 0)) {
                throw new IllegalArgumentException("relightingLoraAlpha must be a finite number > 0, got "
                        + relightingLoraAlpha);
            }
            ModelComponents.Given given = new ModelComponents.Given(modelFolder, ditConfig, ditWeights, vaeConfig,
                    vaeWeights, clipConfig, clipWeights, relightingLora, relightingLoraAlpha, textEncoder, textCache);
            Backend opened = backend;
            boolean ownsBackend = false;
            ModelComponents model = null;
            try {
                if (opened == null) {
                    opened = (backendName == null ? Backends.best(device) : Backends.byName(backendName))
                            .open(new BackendOptions(device, intraOpThreads));
                    ownsBackend = true;
                }
                model = ModelComponents.resolve(given, opened);
                return new WanAnimate(this, opened, ownsBackend, model);
            } catch (RuntimeException e) {
                RuntimeException failure = Closeables.close(model, e);
                throw ownsBackend ? Closeables.close(opened, failure) : failure;
            }
        }
    }
}
