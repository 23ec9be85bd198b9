package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.ProgressListener;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.WanVae;
import io.github.wananimate.pipeline.ConditioningPrecision;
import io.github.wananimate.pipeline.NoiseSource;
import io.github.wananimate.pipeline.PixelVideo;
import io.github.wananimate.pipeline.WanAnimatePipeline;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole chain on demo weights generated at start-up: the tiny configuration of the golden {@code pipeline_tiny}
 * fixture (DiT width 128, 2 heads, 10 blocks with 2 face-adapter blocks; VAE base width 16; a 2-layer CLIP tower of
 * the real width) with procedural values ({@link ProceduralWeights}), so no file is read. The structure is the
 * real one — letterbox, CLIP, VAE, motion encoder, face adapter, sampler, clip chaining — but the values are not
 * trained, so the output is abstract. There is no text encoder: the prompt's context is a procedural tensor of
 * the right shape seeded by the prompt's text.
 */
final class DemoGenerator implements Generator {

    static final DiTConfig DIT = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);
    static final VaeConfig VAE = VaeConfig.withDim(16);
    static final ClipVisionConfig CLIP = new ClipVisionConfig(224, 14, 1280, 16, 2, 4, 1024);
    /** Text tokens of the demo context (a real prompt gives up to 512). */
    static final int DEMO_TOKENS = 8;
    private static final long WEIGHT_SEED = 0;

    private final Backend backend;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final WanAnimatePipeline pipeline;

    DemoGenerator(Backend backend) {
        this.backend = backend;
        try {
            ProceduralWeights ditWeights = ProceduralWeights.forSpecs(WEIGHT_SEED, new WanAnimateDiT(DIT).parameters());
            LoadedNetwork dit = keep(backend.load(new WanAnimateDiT(DIT, false), ditWeights));
            LoadedNetwork motion = keep(backend.load(new MotionEncoder("motion_encoder."), ditWeights));
            WanVae vae = keep(WanVae.load(backend, ProceduralWeights.forSpecs(WEIGHT_SEED, WanVae.parameters(VAE)), VAE));
            ClipVisionEncoder clipNetwork = new ClipVisionEncoder(CLIP);
            LoadedNetwork clip = keep(backend.load(clipNetwork,
                    ProceduralWeights.forSpecs(WEIGHT_SEED, clipNetwork.parameters())));
            this.pipeline = new WanAnimatePipeline(new WanAnimatePipeline.Networks(dit, DIT, motion, vae, clip, CLIP),
                    ConditioningPrecision.FLOAT32);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public String description() {
        return "demo weights (procedural, tiny: DiT width " + DIT.dim() + ", " + DIT.numLayers() + " blocks; VAE width "
                + VAE.dim() + "; CLIP " + CLIP.numLayers() + " layers) on " + backend.name() + "/" + backend.device();
    }

    @Override
    public GenerationResult generate(GenerationRequest request, long seed, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        WanAnimatePipeline.TextConditioning text = new WanAnimatePipeline.TextConditioning(
                context(request.prompt()), request.usesGuidance() ? context(request.negativePrompt()) : null);
        return pipeline.generate(request, text, NoiseSource.seeded(seed), seed, (index, clip, frame) -> {
            sink.accept(index, PixelVideo.toFrame(asVideo(frame), 0));
        }, listener, token);
    }

    /** {@code [3, H, W]} → {@code [3, 1, H, W]}, the layout {@link PixelVideo#toFrame} reads. */
    private static HostTensor asVideo(HostTensor frame) {
        long[] s = frame.shape();
        return frame.reshape(new long[] {s[0], 1, s[1], s[2]});
    }

    /** A procedural stand-in for the umT5 context of {@code prompt}: {@code [DEMO_TOKENS, text_dim]}, in [−1, 1). */
    static HostTensor context(String prompt) {
        float[] values = new float[DEMO_TOKENS * DIT.textDim()];
        long hash = Procedural.fnv1a64("demo.context." + prompt);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Procedural.uniform(hash, i);
        }
        return HostTensor.ofFloats(new long[] {DEMO_TOKENS, DIT.textDim()}, values);
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot release " + owned.get(i) + ": " + e.getMessage(), e);
            }
        }
        owned.clear();
    }
}
