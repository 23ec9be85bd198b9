package io.github.wananimate.nn.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A made-up HF {@code CLIPVisionModelWithProjection} checkpoint built from the official procedural weights with the
 * HF names of NETWORKS.md §8.6, in bf16; seen through {@link HfClipVisionView#toOfficial} it must give every
 * official tensor back bit for bit.
 */
class HfClipVisionViewTest {

    static final ClipVisionConfig TINY = new ClipVisionConfig(224, 14, 64, 2, 3, 4, 32);

    private static HostTensor bf16(long[] shape, float[] values) {
        return HostTensor.of(DType.BF16, shape, DTypeConversions.fromFloatArray(DType.BF16, values));
    }

    private static float[] rows(float[] v, int from, int to, int cols) {
        return Arrays.copyOfRange(v, from * cols, to * cols);
    }

    static Map<String, HostTensor> hfCheckpoint(ProceduralWeights official) {
        int d = TINY.dim();
        Map<String, HostTensor> hf = new LinkedHashMap<>();
        String v = "vision_model.";
        hf.put(v + "embeddings.class_embedding", bf16(new long[] {d}, official.get("visual.cls_embedding").toFloatArray()));
        hf.put(v + "embeddings.position_embedding.weight",
                bf16(new long[] {257, d}, official.get("visual.pos_embedding").toFloatArray()));
        hf.put(v + "embeddings.patch_embedding.weight", bf16(official.shape("visual.patch_embedding.weight"),
                official.get("visual.patch_embedding.weight").toFloatArray()));
        hf.put(v + "embeddings.position_ids", HostTensor.of(DType.I64, new long[] {1, 257},
                java.nio.ByteBuffer.allocate(257 * 8)));
        for (String p : new String[] {"weight", "bias"}) {
            hf.put(v + "pre_layrnorm." + p, bf16(new long[] {d}, official.get("visual.pre_norm." + p).toFloatArray()));
            hf.put(v + "post_layernorm." + p, bf16(new long[] {d}, official.get("visual.post_norm." + p).toFloatArray()));
        }
        for (int i = 0; i < TINY.numLayers(); i++) {
            String o = "visual.transformer." + i + ".";
            String h = v + "encoder.layers." + i + ".";
            float[] qkvW = official.get(o + "attn.to_qkv.weight").toFloatArray();
            float[] qkvB = official.get(o + "attn.to_qkv.bias").toFloatArray();
            String[] names = {"q_proj", "k_proj", "v_proj"};
            for (int k = 0; k < 3; k++) {
                hf.put(h + "self_attn." + names[k] + ".weight", bf16(new long[] {d, d}, rows(qkvW, k * d, (k + 1) * d, d)));
                hf.put(h + "self_attn." + names[k] + ".bias", bf16(new long[] {d}, rows(qkvB, k * d, (k + 1) * d, 1)));
            }
            Map<String, String> renames = Map.of("attn.proj.", "self_attn.out_proj.", "norm1.", "layer_norm1.",
                    "norm2.", "layer_norm2.", "mlp.0.", "mlp.fc1.", "mlp.2.", "mlp.fc2.");
            renames.forEach((from, to) -> {
                for (String p : new String[] {"weight", "bias"}) {
                    hf.put(h + to + p, bf16(official.shape(o + from + p), official.get(o + from + p).toFloatArray()));
                }
            });
        }
        float[] head = official.get("visual.head").toFloatArray(); // [d, e]
        int e = TINY.embedDim();
        float[] projection = new float[e * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < e; c++) {
                projection[c * d + r] = head[r * e + c];
            }
        }
        hf.put("visual_projection.weight", bf16(new long[] {e, d}, projection));
        return hf;
    }

    @Test
    void hfNamesMapToEveryOfficialTensor() {
        ClipVisionEncoder network = new ClipVisionEncoder(TINY);
        ProceduralWeights official = ProceduralWeights.forSpecs(0, network.parameters());
        ParameterSource view = HfClipVisionView.toOfficial(new MapParameterSource(hfCheckpoint(official)));

        assertThat(view).isInstanceOf(HfClipVisionView.class);
        assertThat(view.keys()).containsExactlyInAnyOrderElementsOf(official.keys());
        ParameterBinding.validateAndPrepare(network, view);
        for (ParameterSpec spec : network.parameters()) {
            String key = spec.key();
            assertThat(view.shape(key)).as(key).containsExactly(spec.shape());
            assertThat(view.dtype(key)).as(key).isEqualTo(DType.BF16);
            HostTensor got = view.get(key);
            assertThat(got.shape()).as(key).containsExactly(spec.shape());
            float[] expected = DTypeConversions.toFloatArray(DType.BF16,
                    DTypeConversions.fromFloatArray(DType.BF16, official.get(key).toFloatArray()));
            assertThat(got.toFloatArray()).as(key).containsExactly(expected);
        }
    }

    @Test
    void officialSourcesPassUnchanged() {
        ProceduralWeights official = ProceduralWeights.forSpecs(0, new ClipVisionEncoder(TINY).parameters());
        assertThat(HfClipVisionView.toOfficial(official)).isSameAs(official);
    }

    @Test
    void aMissingProjectionIsNamed() {
        ProceduralWeights official = ProceduralWeights.forSpecs(0, new ClipVisionEncoder(TINY).parameters());
        Map<String, HostTensor> hf = hfCheckpoint(official);
        hf.remove("vision_model.encoder.layers.1.self_attn.k_proj.bias");
        assertThatThrownBy(() -> HfClipVisionView.toOfficial(new MapParameterSource(hf)))
                .isInstanceOf(WeightException.class)
                .hasMessageContaining("visual.transformer.1.attn.to_qkv.bias")
                .hasMessageContaining("k_proj");
    }
}
