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
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.WanVae;
import io.github.wananimate.pipeline.ConditioningPrecision;
import io.github.wananimate.pipeline.NoiseSource;
import io.github.wananimate.pipeline.PixelVideo;
import io.github.wananimate.pipeline.WanAnimatePipeline;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.text.UMT5TextEncoder;
import io.github.wananimate.text.UMT5Tokenizer;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import io.github.wananimate.weights.lora.LoraAdapter;
import io.github.wananimate.weights.lora.LoraMergedSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The released Wan2.2-Animate-14B folder (or its repacks, brought to official names by {@link KeyMappings}). The
 * prompt is encoded first and the umT5 encoder released before the DiT is bound, as the original offloads it;
 * then DiT (with the Relighting LoRA merged while binding, when asked), motion encoder, VAE and CLIP stay bound for
 * the generation. Conditioning is rounded to bf16 as the original does on GPU.
 */
final class ModelFolderGenerator implements Generator {

    private final Backend backend;
    private final ModelFolder folder;
    private final Double relightStrength;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private WanAnimatePipeline pipeline;

    /** @param relightStrength the Relighting LoRA's strength, or null to run without it */
    ModelFolderGenerator(Backend backend, Path folder, Double relightStrength) {
        this.backend = backend;
        this.folder = ModelFolder.of(folder);
        this.relightStrength = relightStrength;
        this.folder.ditConfig(); // fail now, naming the file, rather than after the text encoder ran
        UMT5Tokenizer.fromCheckpointFolder(folder);
    }

    @Override
    public String description() {
        return "Wan2.2-Animate-14B from " + folder.root() + (relightStrength != null ? " with the Relighting LoRA at "
                + relightStrength : "") + " on " + backend.name() + "/" + backend.device();
    }

    @Override
    public GenerationResult generate(GenerationRequest request, long seed, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        WanAnimatePipeline.TextConditioning text = encodeText(request);
        if (token != null) {
            token.throwIfCancelled();
        }
        return pipeline().generate(request, text, NoiseSource.seeded(seed), seed,
                (index, clip, frame) -> {
                    long[] s = frame.shape();
                    sink.accept(index, PixelVideo.toFrame(frame.reshape(s[0], 1, s[1], s[2]), 0));
                }, listener, token);
    }

    private WanAnimatePipeline.TextConditioning encodeText(GenerationRequest request) {
        UMT5Tokenizer tokenizer = UMT5Tokenizer.fromCheckpointFolder(folder.root());
        try (ParameterSource t5 = folder.t5();
                UMT5TextEncoder encoder = new UMT5TextEncoder(backend, KeyMappings.toOfficial(t5),
                        UMT5Config.umt5Xxl(), tokenizer, false)) {
            HostTensor context = encoder.encode(request.prompt());
            HostTensor negative = request.usesGuidance() ? encoder.encode(request.negativePrompt()) : null;
            return new WanAnimatePipeline.TextConditioning(context, negative);
        } catch (WeightException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("umT5 text encoder: " + e.getMessage(), e);
        }
    }

    private WanAnimatePipeline pipeline() {
        if (pipeline != null) {
            return pipeline;
        }
        DiTConfig ditConfig = DiTConfig.read(folder.ditConfig());
        ParameterSource dit = keep(KeyMappings.toOfficial(keep(folder.dit())));
        if (relightStrength != null) {
            Path lora = folder.file(ModelFolder.Component.RELIGHTING_LORA).orElseThrow(() -> new WeightException(
                    "relighting LoRA not found in " + folder.root() + ": expected relighting_lora.ckpt"));
            dit = keep(new LoraMergedSource(dit, keep(LoraAdapter.open(lora)), relightStrength));
        }
        LoadedNetwork ditNetwork = keep(backend.load(new WanAnimateDiT(ditConfig, false), dit));
        LoadedNetwork motion = keep(backend.load(new MotionEncoder("motion_encoder."), dit));
        WanVae vae = keep(WanVae.load(backend, keep(KeyMappings.toOfficial(keep(folder.vae()))), VaeConfig.official()));
        ClipVisionConfig clipConfig = ClipVisionConfig.vitHuge14();
        LoadedNetwork clip = keep(backend.load(new ClipVisionEncoder(clipConfig),
                keep(KeyMappings.toOfficial(keep(folder.clip())))));
        pipeline = new WanAnimatePipeline(new WanAnimatePipeline.Networks(ditNetwork, ditConfig, motion, vae, clip,
                clipConfig), ConditioningPrecision.BFLOAT16);
        return pipeline;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        if (!owned.contains(resource)) {
            owned.add(resource);
        }
        return resource;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("cannot release " + owned.get(i) + ": " + e.getMessage(), e);
                }
            }
        }
        owned.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
