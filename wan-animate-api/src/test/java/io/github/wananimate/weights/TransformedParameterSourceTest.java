package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.ProceduralWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformedParameterSourceTest {

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void diffusersDitFaceAdapterKvAndMotionBiasesBecomeOfficial() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("blocks.0.attn1.to_q.weight", new long[] {2, 2});
        shapes.put("face_adapter.0.to_k.weight", new long[] {2, 3});
        shapes.put("face_adapter.0.to_v.weight", new long[] {2, 3});
        shapes.put("face_adapter.0.to_k.bias", new long[] {2});
        shapes.put("face_adapter.0.to_v.bias", new long[] {2});
        shapes.put("motion_encoder.conv_in.act_fn.bias", new long[] {4});
        shapes.put("motion_encoder.res_blocks.0.conv1.act_fn.bias", new long[] {4});
        shapes.put("motion_encoder.res_blocks.6.conv2.act_fn.bias", new long[] {4});
        ProceduralWeights base = new ProceduralWeights(0, shapes);
        ParameterSource official = KeyMappings.toOfficial(base);
        assertThat(official.keys()).containsExactly("blocks.0.self_attn.q.weight",
                "face_adapter.fuser_blocks.0.linear1_kv.weight", "face_adapter.fuser_blocks.0.linear1_kv.bias",
                "motion_encoder.enc.net_app.convs.0.1.bias", "motion_encoder.enc.net_app.convs.1.conv1.1.bias",
                "motion_encoder.enc.net_app.convs.7.conv2.2.bias");
        assertThat(official.shape("face_adapter.fuser_blocks.0.linear1_kv.weight")).containsExactly(4, 3);
        assertThat(official.get("face_adapter.fuser_blocks.0.linear1_kv.weight").toFloatArray()).containsExactly(
                concat(base.get("face_adapter.0.to_k.weight").toFloatArray(),
                        base.get("face_adapter.0.to_v.weight").toFloatArray()));
        assertThat(official.get("face_adapter.fuser_blocks.0.linear1_kv.bias").toFloatArray()).containsExactly(
                concat(base.get("face_adapter.0.to_k.bias").toFloatArray(),
                        base.get("face_adapter.0.to_v.bias").toFloatArray()));
        assertThat(official.shape("motion_encoder.enc.net_app.convs.7.conv2.2.bias")).containsExactly(1, 4, 1, 1);
        assertThat(official.get("motion_encoder.enc.net_app.convs.0.1.bias").toFloatArray())
                .containsExactly(base.get("motion_encoder.conv_in.act_fn.bias").toFloatArray());
        assertThatThrownBy(() -> official.get("face_adapter.0.to_k.weight")).isInstanceOf(WeightException.class)
                .hasMessageContaining("'face_adapter.0.to_k.weight'");
    }

    @Test
    void hfClipQkvEmbeddingsAndProjectionBecomeOfficial() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("vision_model.embeddings.class_embedding", new long[] {3});
        shapes.put("vision_model.embeddings.position_embedding.weight", new long[] {4, 3});
        for (String p : List.of("q", "k", "v")) {
            shapes.put("vision_model.encoder.layers.0.self_attn." + p + "_proj.weight", new long[] {3, 3});
            shapes.put("vision_model.encoder.layers.0.self_attn." + p + "_proj.bias", new long[] {3});
        }
        shapes.put("visual_projection.weight", new long[] {2, 3});
        ProceduralWeights base = new ProceduralWeights(0, shapes);
        ParameterSource official = KeyMappings.toOfficial(base);
        assertThat(official.keys()).containsExactlyInAnyOrder("visual.cls_embedding", "visual.pos_embedding",
                "visual.transformer.0.attn.to_qkv.weight", "visual.transformer.0.attn.to_qkv.bias", "visual.head");
        assertThat(official.shape("visual.cls_embedding")).containsExactly(1, 1, 3);
        assertThat(official.shape("visual.pos_embedding")).containsExactly(1, 4, 3);
        assertThat(official.shape("visual.transformer.0.attn.to_qkv.weight")).containsExactly(9, 3);
        assertThat(official.get("visual.transformer.0.attn.to_qkv.bias").toFloatArray()).containsExactly(concat(
                base.get("vision_model.encoder.layers.0.self_attn.q_proj.bias").toFloatArray(),
                base.get("vision_model.encoder.layers.0.self_attn.k_proj.bias").toFloatArray(),
                base.get("vision_model.encoder.layers.0.self_attn.v_proj.bias").toFloatArray()));
        float[] p = base.get("visual_projection.weight").toFloatArray(); // [2,3]
        assertThat(official.shape("visual.head")).containsExactly(3, 2);
        assertThat(official.get("visual.head").toFloatArray()).containsExactly(p[0], p[3], p[1], p[4], p[2], p[5]);
    }

    @Test
    void mismatchedInputsAreReported() {
        ProceduralWeights base = new ProceduralWeights(0, Map.of("a", new long[] {2, 3}, "b", new long[] {2, 4}));
        assertThatThrownBy(() -> TransformedParameterSource.builder(base).concatRows("ab", List.of("a", "b")))
                .isInstanceOf(WeightException.class).hasMessageContaining("'ab'").hasMessageContaining("'b'");
        assertThatThrownBy(() -> TransformedParameterSource.builder(base).reshape("r", "a", 5))
                .isInstanceOf(WeightException.class).hasMessageContaining("'a'").hasMessageContaining("[5]");
        assertThat(TransformedParameterSource.builder(base).build()).isSameAs(base);
    }
}
