package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.ProceduralWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyMappingTest {

    private static ProceduralWeights source(String... keys) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String k : keys) {
            shapes.put(k, new long[] {2});
        }
        return new ProceduralWeights(0, shapes);
    }

    private static void assertMaps(KeyMapping mapping, String from, String to) {
        assertThat(mapping.map(from)).as(from).contains(to);
    }

    @Test
    void rulesApplyFirstMatchOnlyAndChainByStage() {
        KeyMapping m = KeyMapping.of("t", List.of(
                KeyMapping.stripPrefix("model."),
                KeyMapping.regex("blocks\\.(\\d+)\\.attn1\\.to_q\\.", "blocks.$1.self_attn.q."),
                KeyMapping.renamePrefix("a.", "b."),
                KeyMapping.renamePrefix("b.", "c."),
                KeyMapping.drop("junk\\.")));
        assertMaps(m, "blocks.12.attn1.to_q.weight", "blocks.12.self_attn.q.weight");
        assertMaps(m, "model.x", "x");
        assertMaps(m, "model.blocks.0.attn1.to_q.weight", "blocks.0.attn1.to_q.weight"); // one rule per stage
        assertMaps(m, "a.w", "b.w"); // not chained to c.
        assertMaps(m, "xblocks.1.attn1.to_q.w", "xblocks.1.attn1.to_q.w"); // anchored at the start
        assertMaps(m, "unmatched.key", "unmatched.key");
        assertThat(m.map("junk.x")).isEqualTo(Optional.empty());
        KeyMapping chained = KeyMappings.COMFY_PREFIXES.then(KeyMappings.DIFFUSERS_DIT);
        assertMaps(chained, "model.diffusion_model.blocks.3.attn1.to_q.weight", "blocks.3.self_attn.q.weight");
        assertThat(KeyMapping.identity().then(m)).isSameAs(m);
        assertThat(m.then(KeyMapping.identity())).isSameAs(m);
    }

    @Test
    void comfyPrefixes() {
        assertMaps(KeyMappings.COMFY_PREFIXES, "model.diffusion_model.head.head.weight", "head.head.weight");
        assertMaps(KeyMappings.COMFY_PREFIXES, "diffusion_model.blocks.0.ffn.0.bias", "blocks.0.ffn.0.bias");
        assertMaps(KeyMappings.COMFY_PREFIXES, "blocks.0.ffn.0.bias", "blocks.0.ffn.0.bias");
    }

    @Test
    void diffusersDit() {
        KeyMapping m = KeyMappings.DIFFUSERS_DIT;
        assertMaps(m, "patch_embedding.weight", "patch_embedding.weight");
        assertMaps(m, "condition_embedder.text_embedder.linear_2.bias", "text_embedding.2.bias");
        assertMaps(m, "condition_embedder.time_embedder.linear_1.weight", "time_embedding.0.weight");
        assertMaps(m, "condition_embedder.time_proj.weight", "time_projection.1.weight");
        assertMaps(m, "condition_embedder.image_embedder.ff.net.0.proj.weight", "img_emb.proj.1.weight");
        assertMaps(m, "condition_embedder.image_embedder.norm2.bias", "img_emb.proj.4.bias");
        assertMaps(m, "scale_shift_table", "head.modulation");
        assertMaps(m, "proj_out.weight", "head.head.weight");
        assertMaps(m, "blocks.39.scale_shift_table", "blocks.39.modulation");
        assertMaps(m, "blocks.0.attn1.to_v.bias", "blocks.0.self_attn.v.bias");
        assertMaps(m, "blocks.0.attn1.to_out.0.weight", "blocks.0.self_attn.o.weight");
        assertMaps(m, "blocks.0.attn1.norm_k.weight", "blocks.0.self_attn.norm_k.weight");
        assertMaps(m, "blocks.7.norm2.weight", "blocks.7.norm3.weight");
        assertMaps(m, "blocks.7.attn2.to_k.weight", "blocks.7.cross_attn.k.weight");
        assertMaps(m, "blocks.7.attn2.to_out.0.bias", "blocks.7.cross_attn.o.bias");
        assertMaps(m, "blocks.7.attn2.add_v_proj.weight", "blocks.7.cross_attn.v_img.weight");
        assertMaps(m, "blocks.7.attn2.norm_added_k.weight", "blocks.7.cross_attn.norm_k_img.weight");
        assertMaps(m, "blocks.7.ffn.net.0.proj.weight", "blocks.7.ffn.0.weight");
        assertMaps(m, "blocks.7.ffn.net.2.bias", "blocks.7.ffn.2.bias");
        assertMaps(m, "face_adapter.3.to_q.weight", "face_adapter.fuser_blocks.3.linear1_q.weight");
        assertMaps(m, "face_adapter.3.to_out.bias", "face_adapter.fuser_blocks.3.linear2.bias");
        assertMaps(m, "face_adapter.3.norm_k.weight", "face_adapter.fuser_blocks.3.k_norm.weight");
        assertMaps(m, "face_encoder.conv1_local.weight", "face_encoder.conv1_local.conv.weight");
        assertMaps(m, "face_encoder.conv3.bias", "face_encoder.conv3.conv.bias");
        assertMaps(m, "face_encoder.out_proj.weight", "face_encoder.out_proj.weight");
        assertMaps(m, "motion_encoder.conv_in.weight", "motion_encoder.enc.net_app.convs.0.0.weight");
        assertMaps(m, "motion_encoder.res_blocks.0.conv1.weight", "motion_encoder.enc.net_app.convs.1.conv1.0.weight");
        assertMaps(m, "motion_encoder.res_blocks.6.conv2.weight", "motion_encoder.enc.net_app.convs.7.conv2.1.weight");
        assertMaps(m, "motion_encoder.res_blocks.2.conv_skip.weight", "motion_encoder.enc.net_app.convs.3.skip.1.weight");
        assertMaps(m, "motion_encoder.conv_out.weight", "motion_encoder.enc.net_app.convs.8.weight");
        assertMaps(m, "motion_encoder.motion_network.2.bias", "motion_encoder.enc.fc.2.bias");
        assertMaps(m, "motion_encoder.motion_synthesis_weight", "motion_encoder.dec.direction.weight");
    }

    @Test
    void diffusersVae() {
        KeyMapping m = KeyMappings.DIFFUSERS_VAE;
        assertMaps(m, "encoder.conv_in.weight", "encoder.conv1.weight");
        assertMaps(m, "decoder.conv_in.bias", "decoder.conv1.bias");
        assertMaps(m, "encoder.down_blocks.0.norm1.gamma", "encoder.downsamples.0.residual.0.gamma");
        assertMaps(m, "encoder.down_blocks.3.conv1.weight", "encoder.downsamples.3.residual.2.weight");
        assertMaps(m, "encoder.down_blocks.3.norm2.gamma", "encoder.downsamples.3.residual.3.gamma");
        assertMaps(m, "encoder.down_blocks.3.conv2.bias", "encoder.downsamples.3.residual.6.bias");
        assertMaps(m, "encoder.down_blocks.3.conv_shortcut.weight", "encoder.downsamples.3.shortcut.weight");
        assertMaps(m, "encoder.down_blocks.2.resample.1.weight", "encoder.downsamples.2.resample.1.weight");
        assertMaps(m, "encoder.down_blocks.5.time_conv.bias", "encoder.downsamples.5.time_conv.bias");
        assertMaps(m, "decoder.mid_block.resnets.0.conv1.weight", "decoder.middle.0.residual.2.weight");
        assertMaps(m, "encoder.mid_block.resnets.1.norm2.gamma", "encoder.middle.2.residual.3.gamma");
        assertMaps(m, "encoder.mid_block.attentions.0.to_qkv.weight", "encoder.middle.1.to_qkv.weight");
        assertMaps(m, "decoder.mid_block.attentions.0.norm.gamma", "decoder.middle.1.norm.gamma");
        assertMaps(m, "encoder.norm_out.gamma", "encoder.head.0.gamma");
        assertMaps(m, "decoder.conv_out.weight", "decoder.head.2.weight");
        assertMaps(m, "quant_conv.weight", "conv1.weight");
        assertMaps(m, "post_quant_conv.bias", "conv2.bias");
        assertMaps(m, "decoder.up_blocks.0.resnets.2.conv2.weight", "decoder.upsamples.2.residual.6.weight");
        assertMaps(m, "decoder.up_blocks.1.resnets.0.conv_shortcut.bias", "decoder.upsamples.4.shortcut.bias");
        assertMaps(m, "decoder.up_blocks.3.resnets.1.norm1.gamma", "decoder.upsamples.13.residual.0.gamma");
        assertMaps(m, "decoder.up_blocks.2.upsamplers.0.resample.1.weight", "decoder.upsamples.11.resample.1.weight");
        assertMaps(m, "decoder.up_blocks.0.upsamplers.0.time_conv.bias", "decoder.upsamples.3.time_conv.bias");
    }

    @Test
    void hfT5() {
        KeyMapping m = KeyMappings.HF_T5;
        assertMaps(m, "shared.weight", "token_embedding.weight");
        assertMaps(m, "encoder.block.0.layer.0.layer_norm.weight", "blocks.0.norm1.weight");
        assertMaps(m, "encoder.block.23.layer.0.SelfAttention.o.weight", "blocks.23.attn.o.weight");
        assertMaps(m, "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight",
                "blocks.1.pos_embedding.embedding.weight");
        assertMaps(m, "encoder.block.1.layer.1.layer_norm.weight", "blocks.1.norm2.weight");
        assertMaps(m, "encoder.block.1.layer.1.DenseReluDense.wi_0.weight", "blocks.1.ffn.gate.0.weight");
        assertMaps(m, "encoder.block.1.layer.1.DenseReluDense.wi_1.weight", "blocks.1.ffn.fc1.weight");
        assertMaps(m, "encoder.block.1.layer.1.DenseReluDense.wo.weight", "blocks.1.ffn.fc2.weight");
        assertMaps(m, "encoder.final_layer_norm.weight", "norm.weight");
        // embed_tokens is a fallback copy of shared: with both present, shared wins; alone, it is used
        try (ParameterSource both = new RenamedParameterSource(source("encoder.embed_tokens.weight", "shared.weight",
                "encoder.final_layer_norm.weight"), m)) {
            assertThat(both.keys()).containsExactlyInAnyOrder("token_embedding.weight", "norm.weight");
            assertThat(((RenamedParameterSource) both).originalKey("token_embedding.weight")).isEqualTo("shared.weight");
        }
        try (RenamedParameterSource alone = new RenamedParameterSource(source("encoder.embed_tokens.weight"), m)) {
            assertThat(alone.originalKey("token_embedding.weight")).isEqualTo("encoder.embed_tokens.weight");
        }
    }

    @Test
    void hfClip() {
        KeyMapping m = KeyMappings.HF_CLIP;
        assertMaps(m, "vision_model.embeddings.patch_embedding.weight", "visual.patch_embedding.weight");
        assertMaps(m, "vision_model.pre_layrnorm.bias", "visual.pre_norm.bias");
        assertMaps(m, "vision_model.encoder.layers.31.layer_norm1.weight", "visual.transformer.31.norm1.weight");
        assertMaps(m, "vision_model.encoder.layers.0.layer_norm2.bias", "visual.transformer.0.norm2.bias");
        assertMaps(m, "vision_model.encoder.layers.0.self_attn.out_proj.weight", "visual.transformer.0.attn.proj.weight");
        assertMaps(m, "vision_model.encoder.layers.0.mlp.fc1.bias", "visual.transformer.0.mlp.0.bias");
        assertMaps(m, "vision_model.encoder.layers.0.mlp.fc2.weight", "visual.transformer.0.mlp.2.weight");
        assertMaps(m, "vision_model.post_layernorm.weight", "visual.post_norm.weight");
        // the q/k/v split is not a rename: left under its HF name
        assertMaps(m, "vision_model.encoder.layers.0.self_attn.q_proj.weight",
                "vision_model.encoder.layers.0.self_attn.q_proj.weight");
    }

    @Test
    void renamedSourceReadsThroughAndReportsCollisions() {
        ProceduralWeights base = source("diffusion_model.blocks.0.attn1.to_q.weight", "other");
        RenamedParameterSource renamed = new RenamedParameterSource(base,
                KeyMappings.COMFY_PREFIXES.then(KeyMappings.DIFFUSERS_DIT));
        assertThat(renamed.keys()).containsExactly("blocks.0.self_attn.q.weight", "other");
        assertThat(renamed.get("blocks.0.self_attn.q.weight").toFloatArray())
                .containsExactly(base.get("diffusion_model.blocks.0.attn1.to_q.weight").toFloatArray());
        assertThat(renamed.shape("other")).containsExactly(2);
        assertThat(renamed.description()).contains("comfy prefixes + diffusers DiT");
        assertThatThrownBy(() -> renamed.get("diffusion_model.blocks.0.attn1.to_q.weight"))
                .isInstanceOf(WeightException.class).hasMessageContaining("'diffusion_model.blocks.0.attn1.to_q.weight'");
        ProceduralWeights clash = source("model.diffusion_model.a", "diffusion_model.a", "a", "model.diffusion_model.b",
                "b");
        assertThatThrownBy(() -> new RenamedParameterSource(clash, KeyMappings.COMFY_PREFIXES))
                .isInstanceOf(WeightException.class).hasMessageContaining("2 name(s)")
                .hasMessageContaining("'a' <- 'model.diffusion_model.a', 'diffusion_model.a', 'a'")
                .hasMessageContaining("'b' <- 'model.diffusion_model.b', 'b'");
    }

    @Test
    void detectsTheNamingSchemeByProbing() {
        assertThat(KeyMappings.detect(source("blocks.0.self_attn.q.weight")).isIdentity()).isTrue();
        assertThat(KeyMappings.detect(source("model.diffusion_model.blocks.0.self_attn.q.weight")))
                .isSameAs(KeyMappings.COMFY_PREFIXES);
        assertThat(KeyMappings.detect(source("blocks.0.attn1.to_q.weight"))).isSameAs(KeyMappings.DIFFUSERS_DIT);
        assertThat(KeyMappings.detect(source("diffusion_model.blocks.0.attn1.to_q.weight")).name())
                .isEqualTo("comfy prefixes + diffusers DiT");
        assertThat(KeyMappings.detect(source("encoder.conv1.weight")).isIdentity()).isTrue();
        assertThat(KeyMappings.detect(source("encoder.conv_in.weight"))).isSameAs(KeyMappings.DIFFUSERS_VAE);
        assertThat(KeyMappings.detect(source("token_embedding.weight")).isIdentity()).isTrue();
        assertThat(KeyMappings.detect(source("shared.weight"))).isSameAs(KeyMappings.HF_T5);
        assertThat(KeyMappings.detect(source("visual.transformer.0.attn.to_qkv.weight")).isIdentity()).isTrue();
        assertThat(KeyMappings.detect(source("vision_model.encoder.layers.0.self_attn.q_proj.weight")))
                .isSameAs(KeyMappings.HF_CLIP);
        ProceduralWeights t5 = source("shared.weight", "encoder.final_layer_norm.weight");
        assertThat(KeyMappings.toOfficial(t5).keys()).containsExactly("token_embedding.weight", "norm.weight");
        ProceduralWeights official = source("norm.weight");
        assertThat(KeyMappings.toOfficial(official)).isSameAs(official);
    }
}
