package io.github.wananimate.pipeline;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.clip.ClipPreprocessing;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.sampling.NoiseSource;
import io.github.wananimate.sampling.Sampler;
import io.github.wananimate.sampling.Samplers;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WanAnimate.generate()} of {@code wan/animate.py} (PIPELINE.md §2) on bound networks: plan the clips, encode
 * the reference once (VAE latent and CLIP feature), then per clip encode pose and conditioning frames, build
 * {@code y}, run a fresh sampler with the DiT (classifier-free guidance only when the scale is above 1), decode
 * without the reference slot, drop the conditioning frames and hand the frames to a sink as they are decoded — one
 * VAE chunk at a time, so memory does not grow with the video's length. The text contexts come in already encoded
 * (the caller owns the text encoder and its cache, so that the encoder can be released before denoising, as the
 * original offloads it).
 *
 * <p>Every host step is one of the pieces of this package (see {@code package-info.java} for the order).
 */
public final class WanAnimatePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(WanAnimatePipeline.class);
    /** Face frames per motion-encoder call (the DiT's own batch; bounds the 512×512 activations). */
    private static final int FACE_BATCH = 8;

    /**
     * The bound networks of a generation.
     *
     * @param dit {@link WanAnimateDiT} bound to its weights (with the Relighting LoRA merged where asked); built with
     *     {@code intermediates = false} so each step returns the velocity only
     * @param ditConfig its configuration (the time-embedding width and text length are read from it)
     * @param motionEncoder the DiT's {@link MotionEncoder} ({@code motion_encoder.*} of the DiT checkpoint), bound
     *     on its own: the face crops of a clip are encoded once and handed to every step as {@code face_motion}
     *     (the original re-encodes the same faces at every step; the result is the same)
     * @param vae the Wan 2.1 VAE, acquired for the reference, for each clip's encoding and for each clip's decoding,
     *     and released after each
     * @param clip {@link ClipVisionEncoder} on its weights, acquired for the reference's feature and released
     *     right after
     * @param clipConfig its configuration (the input size is read from it)
     * @param upload puts a tensor on the DiT's backend ({@code Backend::upload}): the conditioning that every step of
     *     a clip reads (text, CLIP feature, y, pose latents, face motion) is uploaded once per clip, or once per
     *     generation, and handed to the DiT as device inputs; only the latent, the timestep and the velocity cross
     *     between host and device at each step
     */
    public record Networks(LoadedNetwork dit, DiTConfig ditConfig, LoadedNetwork motionEncoder, Lease<WanVae> vae,
            Lease<LoadedNetwork> clip, ClipVisionConfig clipConfig, Function<HostTensor, DeviceTensor> upload) {

        public Networks {
            Objects.requireNonNull(dit, "dit");
            Objects.requireNonNull(upload, "upload");
            Objects.requireNonNull(motionEncoder, "motionEncoder");
            Objects.requireNonNull(ditConfig, "ditConfig");
            Objects.requireNonNull(vae, "vae");
            Objects.requireNonNull(clip, "clip");
            Objects.requireNonNull(clipConfig, "clipConfig");
        }
    }

    /**
     * The encoded prompts: {@code context} of the prompt, {@code [L_txt, text_dim]} (real tokens only), and that of
     * the negative prompt, needed only when guidance runs (null otherwise).
     */
    public record TextConditioning(HostTensor context, HostTensor negativeContext) {

        public TextConditioning {
            Objects.requireNonNull(context, "context");
        }
    }

    /** Receives each output frame as a float tensor {@code [3, H, W]} in [−1, 1], in increasing index order. */
    @FunctionalInterface
    public interface DecodedFrameSink {

        /**
         * @param index 0-based index in the output video
         * @param clip the clip that produced it
         * @param frame {@code [3, H, W]} pixel space, clamped
         */
        void accept(int index, int clip, HostTensor frame);
    }

    private final Networks networks;
    private final Precision precision;
    private final VaeTiling decodeTiling;

    /**
     * @param precision the precision pixel conditioning and embeddings are rounded to before a network sees them
     *     (the run's {@link Precision}: {@code BF16} as the original on GPU, {@code FP32} for the golden fixtures)
     */
    public WanAnimatePipeline(Networks networks, Precision precision) {
        this(networks, precision, VaeTiling.WHOLE_FRAME);
    }

    /**
     * A pipeline whose decodes may be tiled.
     *
     * @param networks the bound networks
     * @param precision the precision pixel conditioning and embeddings are rounded to before a network sees them
     * @param decodeTiling how each clip's decode is cut ({@link VaeTiling#WHOLE_FRAME}: as the original)
     */
    public WanAnimatePipeline(Networks networks, Precision precision, VaeTiling decodeTiling) {
        this.networks = Objects.requireNonNull(networks, "networks");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.decodeTiling = Objects.requireNonNull(decodeTiling, "decodeTiling");
    }

    /**
     * Runs one generation.
     *
     * @param job the driving signals and settings
     * @param text the encoded prompt, and the negative prompt when {@code job.guided()}
     * @param noise clip k's initial latent noise
     * @param sink receives the {@code job.frameCount()} output frames; what it throws ends the run
     * @param monitor told of every stage and step; stops the run by throwing
     * @return the clips it ran
     */
    public ClipPlan generate(Job job, TextConditioning text, NoiseSource noise, DecodedFrameSink sink,
            GenerationMonitor monitor) {
        int height = job.height();
        int width = job.width();
        boolean guided = job.guided();
        if (guided && text.negativeContext() == null) {
            throw new IllegalArgumentException("guide scale " + job.guideScale()
                    + " runs the unconditional pass, which needs the negative prompt's context");
        }
        ClipPlan plan = ClipPlan.of(job.frameCount(), job.clipLength(), job.continuationFrames());
        LatentGeometry geometry = new LatentGeometry(height, width, job.clipLength());
        LOG.debug("{} clips of {} frames at {}x{}, {} {} steps, shift {}, guide {}{}", plan.clipCount(),
                plan.clipLength(), width, height, job.solver(), job.steps(), job.shift(), job.guideScale(),
                job.replacement() ? ", replacement" : "");

        // §2.3: the global conditioning, computed once.
        monitor.preparing(plan.clipCount(), job.steps());
        Frame reference = ReferenceLetterbox.paddingResize(job.reference(), height, width);
        HostTensor referencePixels = PixelVideo.fromFrame(reference, precision);
        HostTensor referenceLatent = networks.vae().use(vae -> vae.encode(referencePixels));
        monitor.checkCancelled();
        HostTensor clipFeature = clipFeature(referencePixels);
        // §2.10: the unconditional pass sees black faces (all −1); every frame is the same, so one is encoded.
        HostTensor unconditionalMotion = guided ? repeatRows(encodeFaces(Guidance.unconditionalFace(
                new long[] {3, 1, MotionEncoder.SIZE, MotionEncoder.SIZE})), job.clipLength()) : null;

        try (OnDevice global = new OnDevice()) {
            DeviceTensor context = global.put(rounded(text.context()));
            DeviceTensor negativeContext = guided ? global.put(rounded(text.negativeContext())) : null;
            DeviceTensor clipOnDevice = global.put(clipFeature);
            DeviceTensor unconditionalOnDevice = guided ? global.put(unconditionalMotion) : null;
            denoiseClips(job, plan, geometry, referenceLatent, context, negativeContext, clipOnDevice,
                    unconditionalOnDevice, noise, sink, monitor);
        }
        monitor.finished();
        return plan;
    }

    /** §2.5–§2.12 for every clip: conditioning, sampling and decoding, the previous clip's last frames carried on. */
    private void denoiseClips(Job job, ClipPlan plan, LatentGeometry geometry,
            HostTensor referenceLatent, DeviceTensor context, DeviceTensor negativeContext, DeviceTensor clipFeature,
            DeviceTensor unconditionalMotion, NoiseSource noise, DecodedFrameSink sink, GenerationMonitor monitor) {
        boolean guided = negativeContext != null;
        HostTensor previous = null;
        Map<Integer, float[]> knownMotion = new HashMap<>();
        for (ClipPlan.Clip clip : plan.clips()) {
            int k = clip.index();
            monitor.encodingClip(k);
            HostTensor carried = previous;   // the last frames generated before this clip
            ClipInputs inputs = networks.vae().use(vae -> encodeClip(vae, job, clip, geometry, referenceLatent,
                    carried, knownMotion));
            // Only the next clip can reuse codes (its overlap and padding frames); the rest are dropped, so the map
            // stays one clip long whatever the video's length.
            if (k + 1 < plan.clipCount()) {
                Set<Integer> next = new HashSet<>();
                for (int i : plan.clips().get(k + 1).sourceFrames()) {
                    next.add(i);
                }
                knownMotion.keySet().retainAll(next);
            }

            HostTensor x = noise.noise(k, geometry.noiseShape()).toF32();
            if (!Arrays.equals(x.shape(), geometry.noiseShape())) {
                throw new IllegalStateException("noise source gave clip " + k + " noise shaped "
                        + Arrays.toString(x.shape()) + ", expected " + Arrays.toString(geometry.noiseShape()));
            }
            Sampler sampler = Samplers.create(job.solver(), job.steps(), job.shift());
            try (OnDevice perClip = new OnDevice()) {
                Map<String, DeviceTensor> conditional = conditioning(perClip, inputs, context, clipFeature,
                        perClip.put(inputs.faceMotion()));
                Map<String, DeviceTensor> unconditional = guided ? conditioning(perClip, inputs, negativeContext,
                        clipFeature, unconditionalMotion) : null;
                for (int i = 0; i < job.steps(); i++) {
                    monitor.checkCancelled();
                    HostTensor sinusoid = WanAnimateDiT.timestepSinusoid(sampler.currentTimestep(),
                            networks.ditConfig().freqDim());
                    HostTensor velocity = velocity(x, sinusoid, conditional);
                    if (guided) {
                        monitor.checkCancelled();
                        velocity = Guidance.combine(velocity(x, sinusoid, unconditional), velocity,
                                job.guideScale());
                    }
                    x = sampler.step(velocity, x);
                    monitor.denoised(k, i + 1);
                }
            }
            monitor.decoding(k);
            HostTensor denoised = x;
            previous = networks.vae().use(vae -> decodeAndEmit(vae, denoised, clip, plan, carried, sink, monitor));
        }
    }

    /** The DiT inputs every step of a clip reads; y and the pose latents are uploaded into {@code clip} once. */
    private Map<String, DeviceTensor> conditioning(OnDevice clip, ClipInputs inputs, DeviceTensor context,
            DeviceTensor clipFeature, DeviceTensor faceMotion) {
        Map<String, DeviceTensor> in = new LinkedHashMap<>();
        in.put(WanAnimateDiT.Y, clip.shared(WanAnimateDiT.Y, inputs.y()));
        in.put(WanAnimateDiT.CONTEXT, context);
        in.put(WanAnimateDiT.CLIP_FEA, clipFeature);
        in.put(WanAnimateDiT.POSE_LATENTS, clip.shared(WanAnimateDiT.POSE_LATENTS, inputs.poseLatents()));
        in.put(WanAnimateDiT.FACE_MOTION, faceMotion);
        return in;
    }

    /** Tensors uploaded with {@link Networks#upload}, freed together on close. */
    private final class OnDevice implements AutoCloseable {

        private final Map<String, DeviceTensor> byName = new LinkedHashMap<>();
        private final java.util.List<DeviceTensor> all = new java.util.ArrayList<>();

        DeviceTensor put(HostTensor host) {
            DeviceTensor t = networks.upload().apply(host);
            all.add(t);
            return t;
        }

        /** {@code host} uploaded once under {@code name}, however often it is asked for. */
        DeviceTensor shared(String name, HostTensor host) {
            DeviceTensor t = byName.get(name);
            if (t == null) {
                t = put(host);
                byName.put(name, t);
            }
            return t;
        }

        @Override
        public void close() {
            DeviceTensor.closeAll(all);
        }
    }

    /** What the DiT sees of one clip besides the latent and the text. */
    private record ClipInputs(HostTensor y, HostTensor poseLatents, HostTensor faceMotion) {
    }

    /** §2.6–§2.9: pose latents, face pixels and y of one clip. */
    private ClipInputs encodeClip(WanVae vae, Job job, ClipPlan.Clip clip, LatentGeometry geometry,
            HostTensor referenceLatent, HostTensor previous, Map<Integer, float[]> knownMotion) {
        int[] sources = clip.sourceFrames();
        int clipLength = geometry.clipLength();
        int height = geometry.height();
        int width = geometry.width();

        HostTensor pose = vae.encode(PixelVideo.fromFrames(job.pose(), sources, precision));
        HostTensor poseLatents = rounded(pose).reshape(geometry.poseLatentShape());
        HostTensor faceMotion = faceMotion(job.face(), sources, knownMotion);

        HostTensor background = null;
        float[] keepBackground = null;
        if (job.replacement()) {
            FrameSequence masks = job.mask();
            background = PixelVideo.fromFrames(job.background(), sources, precision);
            keepBackground = ClipConditioning.keepBackgroundMask(PixelVideo.maskFromFrames(masks, sources, precision),
                    clipLength, height, width, precision);
        }
        HostTensor video = ClipConditioning.conditioningVideo(job.replacement(), previous, background,
                clipLength, height, width);
        HostTensor videoLatent = vae.encode(video);
        HostTensor mask = ClipConditioning.clipMask(geometry.latentFrames(), geometry.latentHeight(),
                geometry.latentWidth(), clip.conditioningFrames(), keepBackground);
        HostTensor y = rounded(ClipConditioning.assembleY(referenceLatent, videoLatent, mask));
        return new ClipInputs(y, poseLatents, faceMotion);
    }

    /**
     * The motion encoder's codes {@code [T, 512]} of the face crops at {@code indices}. A face's code depends on that
     * face alone, so each driving frame is encoded once per generation ({@code known} holds the codes so far): the
     * ping-pong padding and the frames shared by neighbouring clips cost nothing. New faces are encoded in batches
     * of {@link #FACE_BATCH}, as the DiT batches them.
     */
    private HostTensor faceMotion(FrameSequence faces, int[] indices, Map<Integer, float[]> known) {
        int[] missing = Arrays.stream(indices).distinct().filter(i -> !known.containsKey(i)).toArray();
        for (int start = 0; start < missing.length; start += FACE_BATCH) {
            int[] batch = Arrays.copyOfRange(missing, start, Math.min(missing.length, start + FACE_BATCH));
            HostTensor motion = encodeFaces(PixelVideo.fromFrames(faces, batch, precision));
            float[] codes = motion.toFloatArray();
            int width = (int) motion.shape()[1];
            for (int n = 0; n < batch.length; n++) {
                known.put(batch[n], Arrays.copyOfRange(codes, n * width, (n + 1) * width));
            }
        }
        int width = known.get(indices[0]).length;
        float[] out = new float[indices.length * width];
        for (int t = 0; t < indices.length; t++) {
            System.arraycopy(known.get(indices[t]), 0, out, t * width, width);
        }
        return HostTensor.ofFloats(new long[] {indices.length, width}, out);
    }

    /** Face crops {@code [3, n, 512, 512]} → motion codes {@code [n, 512]} (one motion-encoder call). */
    private HostTensor encodeFaces(HostTensor faces) {
        long[] s = faces.shape();
        if (s.length != 4 || s[0] != 3 || s[2] != MotionEncoder.SIZE || s[3] != MotionEncoder.SIZE) {
            throw new IllegalArgumentException("face crops shaped " + Arrays.toString(s) + ", expected [3, T, "
                    + MotionEncoder.SIZE + ", " + MotionEncoder.SIZE + "]");
        }
        int count = (int) s[1];
        int plane = MotionEncoder.SIZE * MotionEncoder.SIZE;
        FloatBuffer pixels = faces.asFloatBuffer();
        float[] batch = new float[count * 3 * plane];
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < 3; c++) {
                pixels.get((c * count + n) * plane, batch, (n * 3 + c) * plane, plane);
            }
        }
        return networks.motionEncoder().run(Map.of(MotionEncoder.INPUT_FACES,
                HostTensor.ofFloats(new long[] {count, 3, MotionEncoder.SIZE, MotionEncoder.SIZE}, batch)))
                .get(MotionEncoder.OUTPUT_MOTION).toF32();
    }

    /** {@code [1, D]} repeated into {@code [n, D]}. */
    private static HostTensor repeatRows(HostTensor row, int n) {
        float[] one = row.toFloatArray();
        float[] out = new float[n * one.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(one, 0, out, i * one.length, one.length);
        }
        return HostTensor.ofFloats(new long[] {n, one.length}, out);
    }

    /** §2.3: CLIP on the letterboxed reference (bicubic to the tower's size, all blocks but the last). */
    private HostTensor clipFeature(HostTensor referencePixels) {
        HostTensor pixels = ClipPreprocessing.preprocess(referencePixels, networks.clipConfig().imageSize());
        HostTensor features = networks.clip().use(clip -> clip.run(Map.of(ClipVisionEncoder.INPUT, pixels))
                .get(ClipVisionEncoder.OUTPUT));
        long[] s = features.shape();
        if (s.length != 3 || s[0] != 1 || s[1] != DiTConfig.CLIP_TOKENS || s[2] != DiTConfig.CLIP_DIM) {
            throw new IllegalStateException("the CLIP tower gave features shaped " + Arrays.toString(s)
                    + ", but the DiT's image embedding needs [1, " + DiTConfig.CLIP_TOKENS + ", " + DiTConfig.CLIP_DIM
                    + "] (a ViT-H/14 at 224)");
        }
        return rounded(features);
    }

    /** §2.10: one DiT pass; the step's latent and timestep from the host, the clip's conditioning on the device. */
    private HostTensor velocity(HostTensor x, HostTensor sinusoid, Map<String, DeviceTensor> conditioning) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put(WanAnimateDiT.X, x);
        in.put(WanAnimateDiT.TIMESTEP_SINUSOID, sinusoid);
        HostTensor out = networks.dit().run(in, conditioning, name -> false).host().get(WanAnimateDiT.OUTPUT);
        if (out == null) {
            throw new IllegalStateException("the DiT '" + networks.dit().name() + "' returned no '"
                    + WanAnimateDiT.OUTPUT + "'");
        }
        return out.toF32();
    }

    /**
     * §2.12: decode x₀ without the reference slot one VAE chunk at a time, clamp, hand the frames this clip emits to
     * the sink, and return the next clip's previous frames (at the conditioning precision): the last r frames of
     * everything generated so far. That is the original's "last r frames of this trimmed clip" whenever the trimmed
     * clip has r frames; when it has fewer (L − r &lt; r, e.g. L = 9 with r = 5, from the third clip on) the original
     * fails, and the frames before them are taken from {@code previous}, the last r frames generated before this clip.
     */
    private HostTensor decodeAndEmit(WanVae vae, HostTensor latent, ClipPlan.Clip clip, ClipPlan plan,
            HostTensor previous, DecodedFrameSink sink, GenerationMonitor monitor) {
        int clipLength = plan.clipLength();
        int carried = plan.continuationFrames();
        int dropped = clip.droppedFrames();
        int emitEnd = dropped + clip.emittedFrames();
        int fromThisClip = Math.min(carried, clipLength - dropped);
        int fromPrevious = carried - fromThisClip;
        float[] tailValues = null;
        long[] frameShape = null;
        int plane = 0;
        int frame = 0;
        Iterator<HostTensor> chunks = vae.decodeChunks(ClipOutput.withoutReferenceSlot(latent), decodeTiling);
        while (chunks.hasNext()) {
            monitor.checkCancelled();
            HostTensor chunk = ClipOutput.clamp(chunks.next());
            long[] s = chunk.shape();
            int count = (int) s[1];
            if (tailValues == null) {
                frameShape = new long[] {3, s[2], s[3]};
                plane = (int) (s[2] * s[3]);
                tailValues = new float[3 * carried * plane];
            }
            float[] values = chunk.toFloatArray();
            for (int t = 0; t < count; t++, frame++) {
                if (frame >= dropped && frame < emitEnd) {
                    HostTensor out = ClipOutput.frames(chunk, t, t + 1, Precision.FP32)
                            .reshape(frameShape);
                    int index = clip.firstOutputFrame() + frame - dropped;
                    sink.accept(index, clip.index(), out);
                }
                int slot = fromPrevious + frame - (clipLength - fromThisClip);
                if (slot >= fromPrevious && slot < carried) {
                    for (int c = 0; c < 3; c++) {
                        System.arraycopy(values, (c * count + t) * plane, tailValues, (c * carried + slot) * plane,
                                plane);
                    }
                }
            }
        }
        if (frame != clipLength) {
            throw new IllegalStateException("the VAE decoded " + frame + " frames for clip " + clip.index()
                    + ", expected " + clipLength);
        }
        if (fromPrevious > 0) {
            float[] before = previous.toFloatArray(); // [3, r, H, W], already at the conditioning precision
            for (int c = 0; c < 3; c++) {
                System.arraycopy(before, (c * carried + carried - fromPrevious) * plane, tailValues,
                        c * carried * plane, fromPrevious * plane);
            }
        }
        precision.roundInPlace(tailValues);
        return HostTensor.ofFloats(new long[] {3, carried, frameShape[1], frameShape[2]}, tailValues);
    }

    private HostTensor rounded(HostTensor t) {
        if (precision == Precision.FP32) {
            return t.toF32();
        }
        float[] v = t.toFloatArray();
        precision.roundInPlace(v);
        return HostTensor.ofFloats(t.shape(), v);
    }
}
