package io.github.wananimate.weights.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import io.github.wananimate.weights.WeightException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraMergedSourceTest {

    private static final long SEED = 7;

    @Test
    void mergesEveryNamingVariantWithItsOwnScale(@TempDir Path dir) {
        Path base = writeBase(dir);
        Map<String, HostTensor> lora = new LinkedHashMap<>();
        // PEFT with prefix and an explicit alpha tensor: scale = 8 / 2
        lora.put("diffusion_model.blocks.0.self_attn.q.lora_A.weight", random("a1", 2, 5));
        lora.put("diffusion_model.blocks.0.self_attn.q.lora_B.weight", random("b1", 6, 2));
        lora.put("diffusion_model.blocks.0.self_attn.q.alpha", HostTensor.ofFloats(new long[0], new float[] {8f}));
        // kohya names under the PEFT wrapper prefix, no alpha: scale = metadata alpha 3 / rank 3
        lora.put("base_model.model.blocks.0.ffn.0.lora_down.weight", random("a2", 3, 5));
        lora.put("base_model.model.blocks.0.ffn.0.lora_up.weight", random("b2", 7, 3));
        // diffusers block names, PEFT adapter name "default"
        lora.put("transformer.blocks.1.attn2.add_k_proj.lora_A.default.weight", random("a3", 1, 5));
        lora.put("transformer.blocks.1.attn2.add_k_proj.lora_B.default.weight", random("b3", 6, 1));
        // a module the checkpoint does not have, and a key that is no LoRA tensor at all
        lora.put("blocks.9.self_attn.q.lora_A.weight", random("a4", 2, 5));
        lora.put("blocks.9.self_attn.q.lora_B.weight", random("b4", 6, 2));
        lora.put("blocks.0.self_attn.q.magnitude", random("m", 6));
        Path loraFile = dir.resolve("lora.safetensors");
        SafetensorsWriter.write(loraFile, lora, Map.of("lora_alpha", "3"));

        try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(loraFile)) {
            LoraMergedSource merged = new LoraMergedSource(checkpoint, adapter, 0.5);
            assertThat(merged.mergedWeights()).containsOnlyKeys("blocks.0.self_attn.q.weight", "blocks.0.ffn.0.weight",
                    "blocks.1.cross_attn.k_img.weight");
            assertThat(merged.unmatched()).containsExactlyInAnyOrder("blocks.9.self_attn.q", "blocks.0.self_attn.q.magnitude");
            assertThat(merged.keys()).isEqualTo(checkpoint.keys());
            assertThat(merged.dtype("blocks.0.self_attn.q.weight")).isEqualTo(DType.F32);

            expectMerged(merged, checkpoint, "blocks.0.self_attn.q.weight", lora, "diffusion_model.blocks.0.self_attn.q", ".lora_A.weight", ".lora_B.weight", 0.5 * 8 / 2);
            expectMerged(merged, checkpoint, "blocks.0.ffn.0.weight", lora, "base_model.model.blocks.0.ffn.0", ".lora_down.weight", ".lora_up.weight", 0.5 * 3 / 3);
            expectMerged(merged, checkpoint, "blocks.1.cross_attn.k_img.weight", lora, "transformer.blocks.1.attn2.add_k_proj", ".lora_A.default.weight", ".lora_B.default.weight", 0.5 * 3 / 1);
            // untouched tensors pass through as stored
            assertThat(merged.get("blocks.0.self_attn.q.bias").toFloatArray())
                    .containsExactly(checkpoint.get("blocks.0.self_attn.q.bias").toFloatArray());
        }
    }

    @Test
    void alphaDefaultsToTheRank(@TempDir Path dir) {
        Path base = writeBase(dir);
        Map<String, HostTensor> lora = new LinkedHashMap<>();
        lora.put("blocks.0.ffn.0.lora_A.weight", random("a", 4, 5));
        lora.put("blocks.0.ffn.0.lora_B.weight", random("b", 7, 4));
        Path loraFile = dir.resolve("plain.safetensors");
        SafetensorsWriter.write(loraFile, lora, Map.of());
        try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(loraFile)) {
            assertThat(adapter.layers().get("blocks.0.ffn.0").scale()).isEqualTo(1.0);
            expectMerged(new LoraMergedSource(checkpoint, adapter, 1.0), checkpoint, "blocks.0.ffn.0.weight", lora,
                    "blocks.0.ffn.0", ".lora_A.weight", ".lora_B.weight", 1.0);
        }
    }

    @Test
    void refusesALoraThatMatchesNothing(@TempDir Path dir) {
        Path base = writeBase(dir);
        Map<String, HostTensor> lora = new LinkedHashMap<>();
        lora.put("lora_unet_blocks_0_self_attn_q.lora_down.weight", random("a", 2, 5));
        lora.put("lora_unet_blocks_0_self_attn_q.lora_up.weight", random("b", 6, 2));
        Path loraFile = dir.resolve("other.safetensors");
        SafetensorsWriter.write(loraFile, lora, Map.of());
        try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(loraFile)) {
            assertThatThrownBy(() -> new LoraMergedSource(checkpoint, adapter, 1.0))
                    .isInstanceOf(WeightException.class)
                    .hasMessageContaining("matches no Linear")
                    .hasMessageContaining("lora_unet_blocks_0_self_attn_q")
                    .hasMessageContaining("blocks.0.self_attn.q.weight");
        }
    }

    @Test
    void refusesMalformedPairs(@TempDir Path dir) {
        Path base = writeBase(dir);
        Map<String, HostTensor> lora = new LinkedHashMap<>();
        lora.put("blocks.0.ffn.0.lora_A.weight", random("a", 2, 5));
        lora.put("blocks.0.self_attn.q.lora_A.weight", random("a", 2, 5));
        lora.put("blocks.0.self_attn.q.lora_B.weight", random("b", 6, 3));
        Path loraFile = dir.resolve("bad.safetensors");
        SafetensorsWriter.write(loraFile, lora, Map.of());
        assertThatThrownBy(() -> LoraAdapter.open(loraFile)).isInstanceOf(WeightException.class)
                .hasMessageContaining("module 'blocks.0.ffn.0' has a down/A matrix")
                .hasMessageContaining("module 'blocks.0.self_attn.q': A [2, 5] and B [6, 3]");

        Map<String, HostTensor> wrongSize = new LinkedHashMap<>();
        wrongSize.put("blocks.0.self_attn.q.lora_A.weight", random("a", 2, 4));
        wrongSize.put("blocks.0.self_attn.q.lora_B.weight", random("b", 6, 2));
        Path wrongFile = dir.resolve("wrong.safetensors");
        SafetensorsWriter.write(wrongFile, wrongSize, Map.of());
        try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(wrongFile)) {
            assertThatThrownBy(() -> new LoraMergedSource(checkpoint, adapter, 1.0))
                    .hasMessageContaining("B·A is [6, 4] but 'blocks.0.self_attn.q.weight' is [6, 5]");
        }
    }

    private static void expectMerged(LoraMergedSource merged, SafetensorsFile checkpoint, String key,
            Map<String, HostTensor> lora, String module, String downSuffix, String upSuffix, double scale) {
        float[] w = checkpoint.get(key).toFloatArray();
        HostTensor a = lora.get(module + downSuffix);
        HostTensor b = lora.get(module + upSuffix);
        int rank = (int) a.shape()[0];
        int in = (int) a.shape()[1];
        int out = (int) b.shape()[0];
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] actual = merged.get(key).toFloatArray();
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                double delta = 0;
                for (int r = 0; r < rank; r++) {
                    delta += (double) bv[o * rank + r] * av[r * in + j];
                }
                assertThat((double) actual[o * in + j]).as("%s[%d,%d]", key, o, j)
                        .isCloseTo(w[o * in + j] + scale * delta, org.assertj.core.api.Assertions.within(1e-6));
            }
        }
    }

    private static Path writeBase(Path dir) {
        Map<String, HostTensor> base = new LinkedHashMap<>();
        base.put("blocks.0.self_attn.q.weight", random("wq", 6, 5));
        base.put("blocks.0.self_attn.q.bias", random("bq", 6));
        base.put("blocks.0.ffn.0.weight", random("wf", 7, 5));
        base.put("blocks.1.cross_attn.k_img.weight", random("wk", 6, 5));
        Path file = dir.resolve("base.safetensors");
        SafetensorsWriter.write(file, base, Map.of());
        return file;
    }

    private static HostTensor random(String name, long... shape) {
        return HostTensor.ofFloats(shape, ProceduralWeights.values("x." + name, shape, SEED));
    }
}
