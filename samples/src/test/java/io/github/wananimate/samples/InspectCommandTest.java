package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.procedural.ProceduralFloat8;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.text.TokenizerFiles;
import io.github.wananimate.weights.TestCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} on folders the test writes: the official layout (sparse 14B DiT shards + index + config.json,
 * small real .pth files for the VAE, umT5, CLIP and the LoRA, the tokenizer folder) and a folder of full-layout
 * single-file repacks (sparse), which is complete.
 */
class InspectCommandTest extends CliTestSupport {

    @TempDir
    Path dir;

    @Test
    void officialLayoutListsEveryComponentAndWhatIsWrongWithIt() throws Exception {
        List<ParameterSpec> dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B).parameters();
        TestCheckpoints.writeSparseShardedDit(dir, dit, 4);
        Files.writeString(dir.resolve("config.json"), DiTConfig.WAN_ANIMATE_14B.toJson().toString());
        // small real torch.save archives: right names, too few tensors or too small
        TestCheckpoints.writePth(dir.resolve("Wan2.1_VAE.pth"), Map.of("encoder.conv1.weight", new long[] {8, 3, 3, 3, 3}));
        TestCheckpoints.writePth(dir.resolve("models_t5_umt5-xxl-enc-bf16.pth"),
                Map.of("blocks.0.norm1.weight", new long[] {4096}));
        TestCheckpoints.writePth(dir.resolve("models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth"),
                Map.of("visual.pre_norm.weight", new long[] {1280}, "textual.token_embedding.weight", new long[] {4, 8}));
        try (java.io.InputStream lora = getClass().getResourceAsStream("/golden/lora_tiny/lora.ckpt")) {
            Files.copy(lora, dir.resolve("relighting_lora.ckpt"));   // the fixture may sit in a test jar
        }
        Files.createDirectories(dir.resolve("google/umt5-xxl"));
        Files.writeString(dir.resolve("google/umt5-xxl/tokenizer.json"), TokenizerFiles.smallUnigram());

        int code = run("inspect", dir.toString());

        String text = out.toString();
        assertThat(code).as(err.toString()).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(text).contains("DiT", "VAE", "umT5 text encoder", "CLIP image encoder", "relighting LoRA",
                "DiT config", "umT5 tokenizer");
        assertThat(line(text, "DiT ")).contains("found", "diffusion_pytorch_model.safetensors.index.json + 4 shards");
        assertThat(text).contains("1,441 tensors, BF16 x1441, 34.55 GB")
                .contains("binds WanAnimateDiT (dim 5120, 40 layers, from config.json): all 1,441 keys it reads");
        assertThat(line(text, "VAE ")).contains("MISMATCH", "Wan2.1_VAE.pth");
        assertThat(text).contains("encoder.conv1.weight [8, 3, 3, 3, 3] != [96, 3, 3, 3, 3]");
        assertThat(line(text, "umT5 text encoder")).contains("MISMATCH");
        assertThat(line(text, "CLIP image encoder")).contains("MISMATCH");
        assertThat(text).contains("against CLIP ViT-H/14 visual tower: ");
        assertThat(line(text, "relighting LoRA")).contains("found", "relighting_lora.ckpt");
        assertThat(text).contains("240 tensors, F32 x240");
        assertThat(line(text, "DiT config")).contains("found");
        assertThat(text).contains("dim 5120, 40 heads, 40 layers, ffn 13824");
        assertThat(line(text, "umT5 tokenizer")).contains("found");
        assertThat(text).contains("key names: official").contains("Incomplete: 3 of 7 entries have a problem");
    }

    @Test
    void repackFolderIsCompleteAndItsFlavourIsNamed() throws Exception {
        Map<String, long[]> dit = TestCheckpoints.shapes(new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B).parameters(),
                "model.diffusion_model.");
        TestCheckpoints.writeSparseSafetensors(dir.resolve("wan2.2_animate_14B_bf16.safetensors"), dit, "BF16");
        TestCheckpoints.writeSparseSafetensors(dir.resolve("Wan2_1_VAE_fp32.safetensors"),
                TestCheckpoints.shapes(VaeWeights.parameters(VaeConfig.official()), ""), "F32");
        TestCheckpoints.writeSparseSafetensors(dir.resolve("umt5-xxl-enc-bf16.safetensors"),
                TestCheckpoints.shapes(new UMT5Encoder(UMT5Config.umt5Xxl()).parameters(), ""), "BF16");
        Map<String, long[]> clip = new LinkedHashMap<>(TestCheckpoints.shapes(
                new ClipVisionEncoder(ClipVisionConfig.vitHuge14()).parameters(), ""));
        clip.put("textual.token_embedding.weight", new long[] {250002, 1024}); // the other tower is not checked
        TestCheckpoints.writeSparseSafetensors(dir.resolve("open-clip-xlm-roberta-large-vit-huge-14_fp16.safetensors"),
                clip, "BF16");
        Files.createDirectories(dir.resolve("relighting_lora"));
        TestCheckpoints.writeSparseSafetensors(dir.resolve("relighting_lora/adapter_model.safetensors"),
                Map.of("diffusion_model.blocks.0.self_attn.q.lora_A.weight", new long[] {128, 5120}), "BF16");
        Files.writeString(dir.resolve("config.json"), DiTConfig.WAN_ANIMATE_14B.toJson().toString());
        Files.createDirectories(dir.resolve("google/umt5-xxl"));
        Files.writeString(dir.resolve("google/umt5-xxl/tokenizer.json"), TokenizerFiles.smallUnigram());

        int code = run("inspect", dir.toString());

        String text = out.toString();
        assertThat(code).as(text + err).isEqualTo(ExitCodes.OK);
        assertThat(line(text, "DiT ")).contains("found", "wan2.2_animate_14B_bf16.safetensors");
        assertThat(text).contains("key names: comfy prefixes")
                .contains("binds Wan 2.1 VAE (dim 96): all 194 keys")
                .contains("binds umT5-xxl encoder")
                .contains("binds CLIP ViT-H/14 visual tower")
                .contains("Complete: every file is present and every network's keys bind.");
        assertThat(line(text, "relighting LoRA")).contains("found");
    }

    @Test
    void aFloat8DiTIsNamedAndBinds() throws Exception {
        DiTConfig tiny = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);
        Path file = dir.resolve("Wan2_2-Animate-14B_fp8_e4m3fn_scaled_KJ.safetensors");
        ProceduralFloat8.write(new WanAnimateDiT(tiny), ProceduralFloat8.Layout.SCALED_E4M3, "", 1, DType.BF16, file,
                null);
        Files.writeString(dir.resolve("config.json"), tiny.toJson().toString());

        run("inspect", dir.toString());

        String text = out.toString();
        assertThat(line(text, "DiT ")).contains("found", file.getFileName().toString());
        assertThat(text).contains("float8 with per-tensor scales").contains("F8_E4M3 x")
                .contains("binds WanAnimateDiT (dim 128, 10 layers, from config.json): all");
    }

    @Test
    void missingFolderIsAFileProblemAndNoArgumentIsUsage() {
        assertThat(run("inspect", dir.resolve("nope").toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("model folder not found").contains("nope");
        assertThat(run("inspect")).isEqualTo(ExitCodes.USAGE);
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst().orElse("<no line starting '" + start + "'>");
    }
}
