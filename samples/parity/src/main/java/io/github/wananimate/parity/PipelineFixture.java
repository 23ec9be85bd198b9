package io.github.wananimate.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.pipeline.ClipPlan;
import io.github.wananimate.pipeline.GenerationMonitor;
import io.github.wananimate.pipeline.Job;
import io.github.wananimate.pipeline.Lease;
import io.github.wananimate.pipeline.WanAnimatePipeline;
import io.github.wananimate.pipeline.WanVae;
import io.github.wananimate.procedural.ProceduralNoiseSource;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.sampling.NoiseSource;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixture component {@code pipeline} ({@code golden/pipeline_tiny}): the whole {@code WanAnimate.generate()} loop
 * ({@link WanAnimatePipeline}) with the fixture's DiT, VAE and CLIP configs and procedural weights
 * ({@code weights.dit}, {@code weights.vae}, {@code weights.clip}), float32 conditioning, the text encoder replaced
 * by {@code input.context_positive} / {@code input.context_negative}, and clip k's noise the procedural tensor
 * {@code noise.clip<k>}. Every entry of {@code cases} runs with its own clip length, refert, solver, steps, shift,
 * guidance and mode; its output {@code <case>.video} is the clamped float video {@code [3, frames, H, W]}. Encoder
 * calls with inputs identical to an earlier case's are answered from memory ({@link MemoizingBackend}).
 *
 * <p>Driving inputs: {@code input.pose_frames} {@code [T, H, W, 3]}, {@code input.face_frames}
 * {@code [T, 512, 512, 3]}, {@code input.reference} {@code [h, w, 3]} (values 0–255; any size, letterboxed),
 * and for replacement {@code input.background_frames} {@code [T, H, W, 3]} and {@code input.mask} {@code [T, H, W]}
 * (0–1, carried as red channel / 255, so it must be a multiple of 1/255).
 */
public final class PipelineFixture implements FixtureComponent {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineFixture.class);

    @Override
    public String component() {
        return "pipeline";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        return run(fixture, backend, Precision.FP32);
    }

    /** At a reduced precision the DiT runs in it and the conditioning is rounded to it (as {@code WanAnimate}). */
    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend, Precision precision) {
        JsonObject config = fixture.config();
        DiTConfig ditConfig = DiTConfig.fromJson(object(fixture, config, "dit"));
        VaeConfig vaeConfig = vaeConfig(object(fixture, config, "vae"));
        ClipVisionConfig clipConfig = clipConfig(object(fixture, config, "clip"), fixture.weightShapes("weights.clip"));
        MotionSignals animation = signals(fixture, false);
        checkDeclared(fixture, animation);
        MotionSignals replacement = fixture.json().getAsJsonObject("cases").entrySet().stream()
                .anyMatch(e -> flag(e.getValue().getAsJsonObject(), "replace")) ? signals(fixture, true) : null;
        WanAnimatePipeline.TextConditioning text = new WanAnimatePipeline.TextConditioning(
                fixture.input("input.context_positive"), fixture.input("input.context_negative"));

        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        // The cases share the reference, the pose clips and the faces: encode each once (MemoizingBackend).
        Backend shared = new MemoizingBackend(backend, Set.of("vae_encoder", "motion_encoder", "clip_visual"));
        try (ProceduralWeights ditWeights = fixture.weights("weights.dit");
                ProceduralWeights vaeWeights = fixture.weights("weights.vae");
                ProceduralWeights clipWeights = fixture.weights("weights.clip");
                LoadedNetwork dit = backend.load(new WanAnimateDiT(ditConfig, false, precision), ditWeights);
                LoadedNetwork motion = shared.load(new MotionEncoder("motion_encoder.", precision), ditWeights);
                WanVae vae = WanVae.load(shared, vaeWeights, vaeConfig);
                LoadedNetwork clip = shared.load(new ClipVisionEncoder(clipConfig), clipWeights)) {
            WanAnimatePipeline pipeline = new WanAnimatePipeline(
                    new WanAnimatePipeline.Networks(dit, ditConfig, motion, Lease.resident(vae), Lease.resident(clip),
                            clipConfig, backend::upload),
                    precision);
            for (Map.Entry<String, JsonElement> entry : fixture.json().getAsJsonObject("cases").entrySet()) {
                JsonObject c = entry.getValue().getAsJsonObject();
                Job job = job(c, flag(c, "replace") ? replacement : animation);
                long start = System.nanoTime();
                outputs.put(entry.getKey() + ".video", runCase(fixture, entry.getKey(), c, pipeline, job, text));
                LOG.info("pipeline case {} on {}: {} ms", entry.getKey(), backend.name(),
                        (System.nanoTime() - start) / 1_000_000);
            }
        }
        return outputs;
    }

    private static HostTensor runCase(Fixture fixture, String name, JsonObject c, WanAnimatePipeline pipeline,
            Job job, WanAnimatePipeline.TextConditioning text) {
        int frames = job.frameCount();
        int height = job.height();
        int width = job.width();
        int plane = height * width;
        float[] video = new float[3 * frames * plane];
        boolean[] seen = new boolean[frames];
        ClipPlan plan = pipeline.generate(job, text, new ProceduralNoiseSource(fixture.seed())::noise,
                (index, clip, frame) -> {
                    FloatBuffer f = frame.asFloatBuffer();
                    for (int ch = 0; ch < 3; ch++) {
                        f.get(ch * plane, video, (ch * frames + index) * plane, plane);
                    }
                    seen[index] = true;
                }, GenerationMonitor.NONE);
        for (int i = 0; i < frames; i++) {
            if (!seen[i]) {
                throw new FixtureException("case " + name + ": output frame " + i + " was never delivered");
            }
        }
        if (c.has("clips") && c.get("clips").getAsInt() != plan.clipCount()) {
            throw new FixtureException("case " + name + ": the original ran " + c.get("clips").getAsInt()
                    + " clips, this plan has " + plan.clipCount());
        }
        return HostTensor.ofFloats(new long[] {3, frames, height, width}, video);
    }

    /** The top-level {@code frames} and {@code size} [H, W], where given, must be those of the driving inputs. */
    private static void checkDeclared(Fixture fixture, MotionSignals signals) {
        JsonObject json = fixture.json();
        if (json.has("frames") && json.get("frames").getAsInt() != signals.frameCount()) {
            throw new FixtureException("fixture " + fixture.directory() + " declares " + json.get("frames")
                    + " frames but input.pose_frames has " + signals.frameCount());
        }
        if (json.has("size")) {
            var size = json.getAsJsonArray("size");
            if (size.get(0).getAsInt() != signals.height() || size.get(1).getAsInt() != signals.width()) {
                throw new FixtureException("fixture " + fixture.directory() + " declares size " + size
                        + " but the pose frames are " + signals.height() + "x" + signals.width() + " (H x W)");
            }
        }
    }

    /** The case's generation, as the pipeline runs it. */
    private static Job job(JsonObject c, MotionSignals signals) {
        return new Job(signals.reference(), signals.pose(), signals.face(), signals.background().orElse(null),
                signals.mask().orElse(null), flag(c, "replace"), c.get("clip_len").getAsInt(),
                c.get("refert").getAsInt(), c.get("solver").getAsString(), c.get("steps").getAsInt(),
                c.get("shift").getAsDouble(), c.get("guide").getAsDouble());
    }

    private static MotionSignals signals(Fixture fixture, boolean replace) {
        MotionSignals.Builder b = MotionSignals.builder()
                .pose(rgbFrames(fixture.input("input.pose_frames"), "input.pose_frames"))
                .face(rgbFrames(fixture.input("input.face_frames"), "input.face_frames"))
                .reference(rgbFrames(fixture.input("input.reference").reshape(prepend(1,
                        fixture.inputSpec("input.reference").shape())), "input.reference").get(0));
        if (replace) {
            b.background(rgbFrames(fixture.input("input.background_frames"), "input.background_frames"))
                    .mask(maskFrames(fixture.input("input.mask")));
        }
        return b.build();
    }

    /** {@code [T, H, W, 3]} values 0–255 → frames. */
    static FrameSequence rgbFrames(HostTensor t, String name) {
        long[] s = t.shape();
        if (s.length != 4 || s[3] != 3) {
            throw new FixtureException(name + " must be [T, H, W, 3], got " + Arrays.toString(s));
        }
        int count = (int) s[0];
        int height = (int) s[1];
        int width = (int) s[2];
        int size = 3 * height * width;
        FloatBuffer values = t.asFloatBuffer();
        List<Frame> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] rgb = new byte[size];
            for (int k = 0; k < size; k++) {
                rgb[k] = (byte) u8(values.get(i * size + k), name);
            }
            frames.add(Frame.ofRgb(width, height, rgb));
        }
        return FrameSequence.of(frames);
    }

    /** {@code [T, H, W]} in [0, 1] → grey frames with value·255 (the pipeline reads red / 255). */
    private static FrameSequence maskFrames(HostTensor t) {
        long[] s = t.shape();
        if (s.length != 3) {
            throw new FixtureException("input.mask must be [T, H, W], got " + Arrays.toString(s));
        }
        int count = (int) s[0];
        int height = (int) s[1];
        int width = (int) s[2];
        int plane = height * width;
        FloatBuffer values = t.asFloatBuffer();
        List<Frame> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] rgb = new byte[3 * plane];
            for (int p = 0; p < plane; p++) {
                byte v = (byte) u8(values.get(i * plane + p) * 255f, "input.mask (× 255)");
                rgb[3 * p] = v;
                rgb[3 * p + 1] = v;
                rgb[3 * p + 2] = v;
            }
            frames.add(Frame.ofRgb(width, height, rgb));
        }
        return FrameSequence.of(frames);
    }

    private static int u8(float v, String name) {
        if (!(v >= 0 && v <= 255) || v != Math.rint(v)) {
            throw new FixtureException(name + " holds " + v + ", not an 8-bit value");
        }
        return (int) v;
    }

    private static long[] prepend(long first, long[] shape) {
        long[] out = new long[shape.length + 1];
        out[0] = first;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** {@code {"dim": n}} for the Wan 2.1 VAE at base width n, or the full {@code WanVAE_} arguments. */
    static VaeConfig vaeConfig(JsonObject json) {
        return json.has("dim_mult") ? VaeFixture.config(json) : VaeConfig.withDim(json.get("dim").getAsInt());
    }

    /**
     * The CLIP tower from the fixture's {@code dim}, {@code num_layers}, {@code num_heads}; the patch and image size,
     * MLP ratio and projection width, unless given, from the weight shapes.
     */
    static ClipVisionConfig clipConfig(JsonObject json, Map<String, long[]> weights) {
        String p = ClipVisionEncoder.PREFIX;
        int dim = json.get("dim").getAsInt();
        int patch = json.has("patch_size") ? json.get("patch_size").getAsInt()
                : (int) shape(weights, p + "patch_embedding.weight")[2];
        int imageSize = json.has("image_size") ? json.get("image_size").getAsInt()
                : (int) Math.round(Math.sqrt(shape(weights, p + "pos_embedding")[1] - 1)) * patch;
        int mlpRatio = json.has("mlp_ratio") ? json.get("mlp_ratio").getAsInt()
                : (int) (shape(weights, p + "transformer.0.mlp.0.weight")[0] / dim);
        long[] head = weights.get(p + "head");
        int embedDim = head == null ? dim : (int) head[1];
        return new ClipVisionConfig(imageSize, patch, dim, json.get("num_heads").getAsInt(),
                json.get("num_layers").getAsInt(), mlpRatio, embedDim);
    }

    private static long[] shape(Map<String, long[]> weights, String key) {
        long[] s = weights.get(key);
        if (s == null) {
            throw new FixtureException("the CLIP weight list has no '" + key + "' to read the tower's shape from");
        }
        return s;
    }

    private static JsonObject object(Fixture fixture, JsonObject config, String field) {
        if (!config.has(field) || !config.get(field).isJsonObject()) {
            throw new FixtureException("fixture " + fixture.directory() + ": config has no object '" + field + "'");
        }
        return config.getAsJsonObject(field);
    }

    private static boolean flag(JsonObject c, String field) {
        return c.has(field) && c.get(field).getAsBoolean();
    }
}
