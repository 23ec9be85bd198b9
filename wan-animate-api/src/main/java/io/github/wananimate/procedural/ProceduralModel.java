package io.github.wananimate.procedural;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.text.TextEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole Wan-Animate model with procedural weights (PROCEDURAL.md): the real network structure at a small width,
 * for tests, benchmarks and demos that must run without the 14B checkpoint. Every weight is
 * {@code u(key, i, seed)} under the official key, so a model is fully defined by its configs and seed. Its output is
 * noise-like, not a picture of anything: it exercises the pipeline, not the training.
 *
 * @param dit the denoiser's shape
 * @param vae the VAE's shape
 * @param clip the CLIP tower's shape (its width must be 1280 and its token count 257, as the DiT's image
 *     embedding reads them)
 * @param seed the procedural seed
 */
public record ProceduralModel(DiTConfig dit, VaeConfig vae, ClipVisionConfig clip, long seed) {

    /**
     * The configuration of {@code golden/pipeline_tiny}: DiT width 128, 2 heads, 10 layers (2 face-adapter blocks),
     * FFN 256, text 64 × 32 tokens; VAE base width 16; a 2-layer ViT-H/14-width CLIP tower at 224.
     *
     * @param seed the seed of the procedural values
     * @return the tiny
     */
    public static ProceduralModel tiny(long seed) {
        return new ProceduralModel(new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6), VaeConfig.withDim(16),
                new ClipVisionConfig(224, 14, 1280, 16, 2, 4, 1024), seed);
    }

    /** {@return the DiT checkpoint (motion encoder, face encoder and adapter included), official keys} */
    public ProceduralWeights ditWeights() {
        return ProceduralWeights.forSpecs(seed, new WanAnimateDiT(dit).parameters());
    }

    /** {@return the VAE checkpoint, official keys} */
    public ProceduralWeights vaeWeights() {
        return ProceduralWeights.forSpecs(seed, VaeWeights.parameters(vae));
    }

    /** {@return the CLIP checkpoint's {@code visual.*} keys} */
    public ProceduralWeights clipWeights() {
        return ProceduralWeights.forSpecs(seed, new ClipVisionEncoder(clip).parameters());
    }

    /**
     * A Relighting LoRA for this DiT in the PEFT layout of {@code relighting_lora.ckpt} ({@code <module>.lora_A.weight}
     * {@code [rank, in]}, {@code <module>.lora_B.weight} {@code [out, rank]}) on the original's targets: every
     * Linear whose name contains "blocks" and neither "face" nor "modulation" (PIPELINE.md §2.15).
     *
     * @param rank the rank
     * @return the relighting lora
     */
    public ProceduralWeights relightingLora(int rank) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec p : new WanAnimateDiT(dit).parameters()) {
            String key = p.key();
            if (p.shape().length == 2 && key.endsWith(".weight") && key.contains("blocks") && !key.contains("face")
                    && !key.contains("modulation")) {
                String module = key.substring(0, key.length() - ".weight".length());
                shapes.put(module + ".lora_A.weight", new long[] {rank, p.shape()[1]});
                shapes.put(module + ".lora_B.weight", new long[] {p.shape()[0], rank});
            }
        }
        return new ProceduralWeights(seed, shapes);
    }

    /**
     * A stand-in text encoder for this model: the context of a prompt is the procedural tensor
     * {@code context.<prompt>} of shape {@code [min(UTF-8 bytes + 1, text_len), text_dim]} (as many rows as a
     * byte-level tokeniser with EOS would give), values in [−1, 1). Deterministic per prompt and seed.
     *
     * @return the text encoder
     */
    public TextEncoder textEncoder() {
        return prompt -> {
            int tokens = Math.min(prompt.getBytes(StandardCharsets.UTF_8).length + 1, dit.textLen());
            long key = Procedural.fnv1a64("context." + prompt) ^ seed;
            float[] values = new float[tokens * dit.textDim()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) Procedural.uniform(key, i);
            }
            return HostTensor.ofFloats(new long[] {tokens, dit.textDim()}, values);
        };
    }
}
