package io.github.wananimate.weights.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** The two LoRA files of golden/lora_tiny read to the same adapter, merged into every targeted Linear. */
class LoraTinyFilesTest {

    @Test
    void safetensorsAndCkptHoldTheSameProceduralAdapter() {
        java.nio.file.Path folder = GoldenFiles.folder("lora_tiny");
        try (ProceduralWeights weights = GoldenFiles.weights("lora_tiny");
                LoraAdapter st = LoraAdapter.open(folder.resolve("lora.safetensors"));
                LoraAdapter ckpt = LoraAdapter.open(folder.resolve("lora.ckpt"))) {
            // 10 blocks x 12 Linears (self q/k/v/o, cross q/k/v/o/k_img/v_img, ffn.0/2), none under face_adapter
            assertThat(st.layers()).hasSize(120).containsOnlyKeys(ckpt.layers().keySet());
            assertThat(st.layers().keySet()).allMatch(m -> m.startsWith("blocks.") && !m.contains("face"));
            for (LoraAdapter.Layer layer : st.layers().values()) {
                LoraAdapter.Layer other = ckpt.layers().get(layer.module());
                assertThat(layer.rank()).isEqualTo(4);
                assertThat(layer.scale()).isEqualTo(1.0);
                assertThat(other.rank()).isEqualTo(4);
                assertThat(ckpt.down(other).toFloatArray()).containsExactly(st.down(layer).toFloatArray());
                assertThat(ckpt.up(other).toFloatArray()).containsExactly(st.up(layer).toFloatArray());
                // fixture.json: LoRA values are procedural under their safetensors names
                HostTensor a = st.down(layer);
                assertThat(a.toFloatArray()).containsExactly(
                        ProceduralWeights.values(layer.downKey(), a.shape(), GoldenFiles.seed("lora_tiny")));
            }
            for (LoraAdapter adapter : new LoraAdapter[] {st, ckpt}) {
                LoraMergedSource merged = new LoraMergedSource(weights, adapter, 1.0, LoraTargets.wanRelighting(10));
                assertThat(merged.mergedWeights()).hasSize(120);
                assertThat(merged.unmatched()).isEmpty();
            }
        }
    }

    @Test
    void anExplicitAlphaScalesAFileThatCarriesNone() {
        java.nio.file.Path file = GoldenFiles.folder("lora_tiny").resolve("lora.safetensors");
        try (LoraAdapter plain = LoraAdapter.open(file); LoraAdapter alpha8 = LoraAdapter.open(file, 8.0)) {
            assertThat(plain.layers().values()).allMatch(l -> l.alpha() == 4 && l.scale() == 1.0);
            assertThat(alpha8.layers().values()).allMatch(l -> l.alpha() == 8 && l.scale() == 2.0);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraAdapter.open(file, 0.0))
                .hasMessageContaining("LoRA alpha must be a finite number > 0, got 0.0");
        // the parity runner merges golden/lora_alpha_tiny (alpha 8, strength 0.5) at the declared alpha
        assertThat(GoldenFiles.folder("lora_alpha_tiny")).isDirectory();
    }
}
