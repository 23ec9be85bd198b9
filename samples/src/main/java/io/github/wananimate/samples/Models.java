package io.github.wananimate.samples;

import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.spi.Backend;
import java.nio.file.Path;

/** The models a generate command runs: the demo weights, or a model folder, on an opened backend. */
final class Models {

    /** Seed of the demo weights (fixed, so every demo run uses the same model). */
    static final long DEMO_WEIGHT_SEED = 0;
    /** Rank of the demo's procedural Relighting LoRA ({@code replace --relight} on the demo). */
    static final int DEMO_LORA_RANK = 4;

    private Models() {
    }

    /**
     * {@link ProceduralModel#tiny} — the golden {@code pipeline_tiny} configuration (DiT width 128, 10 blocks, 2
     * face-adapter blocks; VAE base width 16; a 2-layer CLIP tower of the real width) with procedural weights, a
     * procedural Relighting LoRA and a procedural text encoder: the real structure, generated at start-up, no file
     * read. The output is abstract. Float32 (the tiny model is not the original's bf16 run, and float32 is what the
     * golden {@code pipeline_tiny} was made in).
     */
    static WanAnimate demo(Backend backend) {
        return demo(backend, null, null, 0);
    }

    /**
     * {@link #demo(Backend)} with the Relighting LoRA merged at {@code loraAlpha} (null: its rank), in
     * {@code precision} (null: float32), within {@code memoryBudget} bytes of device memory (0: no budget).
     */
    static WanAnimate demo(Backend backend, Double loraAlpha, Precision precision, long memoryBudget) {
        WanAnimate.Builder builder = budgeted(demoBuilder(), memoryBudget).backend(backend);
        if (loraAlpha != null) {
            builder.relightingLoraAlpha(loraAlpha);
        }
        if (precision != null) {
            builder.precision(precision);
        }
        return builder.build();
    }

    /** The demo weights on a builder that still needs its backend (and may take further options). */
    static WanAnimate.Builder demoBuilder() {
        ProceduralModel model = ProceduralModel.tiny(DEMO_WEIGHT_SEED);
        return WanAnimate.builder()
                .dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights())
                .clip(model.clip(), model.clipWeights())
                .relightingLora(model.relightingLora(DEMO_LORA_RANK))
                .textEncoder(model.textEncoder())
                .precision(Precision.FP32);
    }

    static String demoDescription(Backend backend) {
        ProceduralModel model = ProceduralModel.tiny(DEMO_WEIGHT_SEED);
        return "demo weights (procedural, tiny: DiT width " + model.dit().dim() + ", " + model.dit().numLayers()
                + " blocks; VAE width " + model.vae().dim() + "; CLIP " + model.clip().numLayers() + " layers) on "
                + backend.name() + "/" + backend.device();
    }

    /** The official folder (or its repacks) in the device's default precision. */
    static WanAnimate folder(Backend backend, Path folder) {
        return folder(backend, folder, null, null, 0);
    }

    /**
     * {@link #folder(Backend, Path)} with the Relighting LoRA merged at {@code loraAlpha} (null: the file's), in
     * {@code precision} (null: {@link Precision#defaultFor} the device), within {@code memoryBudget} bytes of device
     * memory (0: no budget).
     */
    static WanAnimate folder(Backend backend, Path folder, Double loraAlpha, Precision precision, long memoryBudget) {
        WanAnimate.Builder builder = budgeted(WanAnimate.builder(), memoryBudget);
        if (loraAlpha != null) {
            builder.relightingLoraAlpha(loraAlpha);
        }
        if (precision != null) {
            builder.precision(precision);
        }
        return builder.backend(backend).modelFolder(folder).build();
    }

    /** {@code memoryBudget} bytes of device memory (as {@code --memory-budget}); 0: no budget. */
    private static WanAnimate.Builder budgeted(WanAnimate.Builder builder, long memoryBudget) {
        return memoryBudget > 0 ? builder.deviceMemoryBudget(memoryBudget) : builder;
    }
}
