package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RefBackend;
import io.github.wananimate.nn.clip.ClipPreprocessing;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.t5.TokenEmbeddings;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch.save-like {@code .pth} files in the official layouts: the whole XLM-R CLIP state dict (only {@code visual.*}
 * is bound; the text tower and {@code log_scale} are ignored), and a bf16 umT5 encoder whose embedding rows are read
 * from the memory-mapped storage.
 */
class ClipT5PthLoadingTest {

    @TempDir
    Path dir;

    private Path writeStateDict(String name, Map<String, HostTensor> tensors) throws Exception {
        return TorchSaveWriter.writeStateDict(dir.resolve(name), tensors, null);
    }

    @Test
    void officialClipCheckpointBindsOnlyTheVisualTower() throws Exception {
        ClipVisionConfig config = new ClipVisionConfig(224, 14, 64, 2, 3, 4, 32);
        ClipVisionEncoder network = new ClipVisionEncoder(config);
        ProceduralWeights visual = ProceduralWeights.forSpecs(0, network.parameters());
        Map<String, HostTensor> all = new LinkedHashMap<>();
        all.put("log_scale", HostTensor.ofFloats(new long[] {}, new float[] {4.6f}));
        for (String key : visual.keys()) {
            all.put(key, visual.get(key));
        }
        all.put("textual.token_embedding.weight", HostTensor.zeros(10, 8));
        all.put("textual.blocks.0.attn.q.weight", HostTensor.zeros(8, 8));
        Path pth = writeStateDict("models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth", all);

        HostTensor pixels = ClipPreprocessing.preprocess(
                GoldenFiles.proceduralInput("input.image", new long[] {3, 1, 80, 80}, 1.0, 0.0, 0), 224);
        try (ParameterSource ckpt = Checkpoints.open(pth);
                LoadedNetwork loaded = new RefBackend().load(network, ckpt)) {
            float[] features = loaded.run(Map.of(ClipVisionEncoder.INPUT, pixels)).get(ClipVisionEncoder.OUTPUT)
                    .toFloatArray();
            double err = GoldenFiles.errorOverPeak(features,
                    GoldenFiles.output("clip_tiny", "features").toFloatArray());
            assertThat(err).isLessThan(1e-4);
        }
    }

    @Test
    void bf16T5CheckpointGathersEmbeddingRowsFromTheFile() throws Exception {
        UMT5Config config = new UMT5Config(256, 64, 64, 128, 2, 2, 32, 128);
        List<ParameterSpec> specs = new UMT5Encoder(config).parameters();
        ProceduralWeights f32 = ProceduralWeights.forSpecs(0, specs);
        Map<String, HostTensor> bf16 = new LinkedHashMap<>();
        for (String key : f32.keys()) {
            bf16.put(key, HostTensor.of(DType.BF16, f32.shape(key),
                    DTypeConversions.fromFloatArray(DType.BF16, f32.get(key).toFloatArray())));
        }
        Path pth = writeStateDict("models_t5_umt5-xxl-enc-bf16.pth", bf16);
        try (ParameterSource ckpt = Checkpoints.open(pth)) {
            assertThat(ckpt.dtype(UMT5Encoder.TOKEN_EMBEDDING_KEY)).isEqualTo(DType.BF16);
            int[] ids = {7, 255, 0, 7};
            float[] rows = TokenEmbeddings.gather(ckpt, UMT5Encoder.TOKEN_EMBEDDING_KEY, ids).toFloatArray();
            float[] table = bf16.get(UMT5Encoder.TOKEN_EMBEDDING_KEY).toFloatArray();
            for (int r = 0; r < ids.length; r++) {
                for (int c = 0; c < 64; c++) {
                    assertThat(rows[r * 64 + c]).isEqualTo(table[ids[r] * 64 + c]);
                }
            }
            try (LoadedNetwork loaded = new RefBackend().load(new UMT5Encoder(config), ckpt)) {
                assertThat(loaded.name()).isEqualTo("umt5_encoder");
            }
        }
    }
}
