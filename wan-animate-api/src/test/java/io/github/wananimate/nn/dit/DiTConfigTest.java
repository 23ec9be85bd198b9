package io.github.wananimate.nn.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiTConfigTest {

    private static final String OFFICIAL_14B = "{\"_class_name\":\"WanAnimateModel\",\"_diffusers_version\":\"0.33.1\","
            + "\"patch_size\":[1,2,2],\"text_len\":512,\"in_dim\":36,\"dim\":5120,\"ffn_dim\":13824,\"freq_dim\":256,"
            + "\"text_dim\":4096,\"out_dim\":16,\"num_heads\":40,\"num_layers\":40,\"window_size\":[-1,-1],"
            + "\"qk_norm\":true,\"cross_attn_norm\":true,\"eps\":1e-06,\"motion_encoder_dim\":512,"
            + "\"use_context_parallel\":false,\"use_img_emb\":true}";

    @Test
    void readsTheOfficialConfigFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), OFFICIAL_14B);
        DiTConfig config = DiTConfig.read(dir);
        assertThat(config).isEqualTo(DiTConfig.WAN_ANIMATE_14B);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.faceBlocks()).isEqualTo(8);
    }

    @Test
    void roundTripsThroughJson() {
        DiTConfig tiny = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);
        assertThat(DiTConfig.fromJson(tiny.toJson())).isEqualTo(tiny);
    }

    @Test
    void refusesImpossibleSizes() {
        assertThatThrownBy(() -> new DiTConfig(128, 256, 256, 64, 32, 2, 6, 1e-6))
                .hasMessageContaining("num_layers must be a positive multiple of 5").hasMessageContaining("6");
        assertThatThrownBy(() -> new DiTConfig(128, 256, 256, 64, 32, 3, 10, 1e-6))
                .hasMessageContaining("dim 128 is not divisible by num_heads 3");
        assertThatThrownBy(() -> new DiTConfig(126, 256, 256, 64, 32, 2, 10, 1e-6))
                .hasMessageContaining("head dim 63 is odd");
        assertThatThrownBy(() -> new DiTConfig(128, 256, 255, 64, 32, 2, 10, 1e-6))
                .hasMessageContaining("freq_dim 255 is odd");
        assertThatThrownBy(() -> new DiTConfig(128, 256, 256, 64, 32, 2, 0, 1e-6))
                .hasMessageContaining("num_layers");
    }

    @Test
    void refusesHardWiredFieldsWithOtherValues() {
        for (String[] change : new String[][] {
                {"\"in_dim\":36", "\"in_dim\":16", "in_dim is 16"},
                {"\"out_dim\":16", "\"out_dim\":48", "out_dim is 48"},
                {"\"patch_size\":[1,2,2]", "\"patch_size\":[1,4,4]", "patch_size is [1,4,4]"},
                {"\"window_size\":[-1,-1]", "\"window_size\":[8,8]", "window_size"},
                {"\"qk_norm\":true", "\"qk_norm\":false", "qk_norm=false"},
                {"\"motion_encoder_dim\":512", "\"motion_encoder_dim\":256", "motion_encoder_dim is 256"},
                {"\"WanAnimateModel\"", "\"WanModel\"", "_class_name is WanModel"}}) {
            JsonObject json = JsonParser.parseString(OFFICIAL_14B.replace(change[0], change[1])).getAsJsonObject();
            assertThatThrownBy(() -> DiTConfig.fromJson(json)).as(change[1]).hasMessageContaining(change[2]);
        }
        JsonObject noDim = JsonParser.parseString(OFFICIAL_14B.replace("\"dim\":5120,", "")).getAsJsonObject();
        assertThatThrownBy(() -> DiTConfig.fromJson(noDim)).hasMessageContaining("missing field \"dim\"");
    }

    @Test
    void errorNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, OFFICIAL_14B.replace("\"num_layers\":40", "\"num_layers\":42"));
        assertThatThrownBy(() -> DiTConfig.read(dir)).hasMessageContaining(file.toString())
                .hasMessageContaining("num_layers");
    }
}
