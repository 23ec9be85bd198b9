package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    @TempDir
    Path dir;

    private static Path golden(String relative) throws Exception {
        return Path.of(ModelFolderTest.class.getResource("/golden/" + relative).toURI());
    }

    /** An official-layout folder with the DiT shards, config, VAE, LoRA and tokenizer; T5 and CLIP absent. */
    private Path officialFolder() throws Exception {
        try (var files = Files.list(golden("format_samples/dit"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.copy(golden("format_samples/Wan2.1_VAE.pth"), dir.resolve("Wan2.1_VAE.pth"));
        Files.copy(golden("lora_tiny/lora.ckpt"), dir.resolve("relighting_lora.ckpt"));
        Files.createDirectories(dir.resolve("google/umt5-xxl"));
        Files.writeString(dir.resolve("google/umt5-xxl/tokenizer.json"), "{}");
        return dir;
    }

    @Test
    void opensEachComponentOfTheOfficialLayout() throws Exception {
        ModelFolder folder = ModelFolder.of(officialFolder());
        try (ParameterSource dit = folder.dit()) {
            assertThat(dit).isInstanceOf(ShardedSafetensors.class);
            assertThat(dit.keys()).hasSize(185).contains("blocks.0.self_attn.q.weight");
        }
        try (ParameterSource vae = folder.vae()) {
            assertThat(vae).isInstanceOf(PytorchCheckpoint.class);
            assertThat(vae.keys()).hasSize(194);
        }
        try (ParameterSource lora = folder.relightingLora()) {
            assertThat(lora.keys()).hasSize(240).allMatch(k -> k.startsWith("blocks."));
        }
        assertThat(folder.ditConfig()).isEqualTo(dir.resolve("config.json"));
        assertThat(folder.tokenizerFolder()).isEqualTo(dir.resolve("google/umt5-xxl"));
        assertThatThrownBy(folder::t5).isInstanceOf(WeightException.class)
                .hasMessageContaining(dir.resolve("models_t5_umt5-xxl-enc-bf16.pth").toString());
        assertThatThrownBy(folder::clip).isInstanceOf(WeightException.class).hasMessageContaining(
                dir.resolve("models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth").toString());
    }

    @Test
    void describeListsWhatIsThereAndWhatIsMissing() throws Exception {
        List<ModelFolder.Inventory> inventory = ModelFolder.of(officialFolder()).describe();
        assertThat(inventory).extracting(ModelFolder.Inventory::component).containsExactly("DiT", "VAE",
                "umT5 text encoder", "CLIP image encoder", "relighting LoRA", "DiT config", "umT5 tokenizer");
        ModelFolder.Inventory dit = inventory.get(0);
        assertThat(dit.found()).isTrue();
        assertThat(dit.files()).hasSize(3); // index + 2 shards
        assertThat(dit.tensorCount()).isEqualTo(185);
        assertThat(dit.dtypes()).containsOnlyKeys(DType.BF16);
        assertThat(dit.totalBytes()).isEqualTo(762752); // the index's metadata.total_size
        ModelFolder.Inventory vae = inventory.get(1);
        assertThat(vae.tensorCount()).isEqualTo(194);
        assertThat(vae.dtypes()).containsOnlyKeys(DType.F32);
        assertThat(inventory.get(2).found()).isFalse();
        assertThat(inventory.get(2).problem()).contains("models_t5_umt5-xxl-enc-bf16.pth");
        assertThat(inventory.get(2).toString()).contains("MISSING");
        assertThat(inventory.get(5).found()).isTrue();
        assertThat(inventory.get(6).found()).isTrue();
        assertThat(inventory.get(0).toString()).contains("185 tensors");
    }

    @Test
    void acceptsSingleFileRepacksWhenTheOfficialFileIsAbsent() throws Exception {
        SafetensorsWriter.write(dir.resolve("Wan2_1_VAE_bf16.safetensors"),
                Map.of("encoder.conv1.bias", HostTensor.ofFloats(new long[] {2}, new float[] {1, 2})), Map.of());
        ModelFolder folder = ModelFolder.of(dir);
        assertThat(folder.file(ModelFolder.Component.VAE)).contains(dir.resolve("Wan2_1_VAE_bf16.safetensors"));
        try (ParameterSource vae = folder.vae()) {
            assertThat(vae.keys()).containsExactly("encoder.conv1.bias");
        }
        Files.copy(golden("format_samples/Wan2.1_VAE.pth"), dir.resolve("Wan2.1_VAE.pth"));
        assertThat(folder.file(ModelFolder.Component.VAE)).contains(dir.resolve("Wan2.1_VAE.pth"));
    }

    @Test
    void unreadableComponentIsReportedNotThrownByDescribe() throws Exception {
        Files.writeString(dir.resolve("Wan2.1_VAE.pth"), "not a zip");
        ModelFolder.Inventory vae = ModelFolder.of(dir).describe().get(1);
        assertThat(vae.found()).isFalse();
        assertThat(vae.problem()).contains("Wan2.1_VAE.pth").contains("not a PyTorch checkpoint");
        assertThat(vae.toString()).contains("UNREADABLE");
        assertThatThrownBy(() -> ModelFolder.of(dir.resolve("nope"))).isInstanceOf(WeightException.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> ModelFolder.of(dir).ditConfig()).isInstanceOf(WeightException.class)
                .hasMessageContaining(dir.resolve("config.json").toString());
    }
}
