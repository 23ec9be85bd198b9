package io.github.wananimate.weights;

import static io.github.wananimate.weights.KeyMapping.regex;
import static io.github.wananimate.weights.KeyMapping.renamePrefix;
import static io.github.wananimate.weights.KeyMapping.stripPrefix;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key tables of NETWORKS.md §8.3–8.7, each mapping a repack's names to the official names, and
 * auto-detection by probing keys.
 *
 * <p>Not plain renames, so not in these tables: the DiT face adapter's {@code linear1_kv}, which diffusers splits
 * by rows into {@code to_k} / {@code to_v}; the motion encoder's activation biases, which diffusers squeezes from
 * [1,C,1,1] to [C]; the CLIP attention's {@code to_qkv}, which HF splits into {@code q_proj} / {@code k_proj} /
 * {@code v_proj}; HF CLIP's {@code visual_projection} (the transposed {@code head}) and its class / position
 * embeddings without their leading 1s. A table leaves those keys under their repack names; {@link #toOfficial}
 * adds the explicit transforms ({@link #diffusersDitTransforms}, {@link #hfClipTransforms}).
 */
public final class KeyMappings {

    private KeyMappings() {
    }

    /** ComfyUI whole-checkpoint prefixes (§8.4). */
    public static final KeyMapping COMFY_PREFIXES = KeyMapping.of("comfy prefixes", List.of(
            stripPrefix("model.diffusion_model."),
            stripPrefix("diffusion_model.")));

    /** diffusers {@code WanAnimateTransformer3DModel} → official DiT names (§8.3). */
    public static final KeyMapping DIFFUSERS_DIT = KeyMapping.of("diffusers DiT", diffusersDit());

    /** diffusers {@code AutoencoderKLWan} → official VAE names (§8.5). */
    public static final KeyMapping DIFFUSERS_VAE = KeyMapping.of("diffusers VAE", diffusersVae());

    /** HF {@code UMT5EncoderModel} → official umT5 names (§8.7). */
    public static final KeyMapping HF_T5 = KeyMapping.of("HF umT5", List.of(
            renamePrefix("shared.weight", "token_embedding.weight"),
            renamePrefix("encoder.embed_tokens.weight", "token_embedding.weight").asFallback(),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.0\\.layer_norm\\.", "blocks.$1.norm1."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.0\\.SelfAttention\\.relative_attention_bias\\.",
                    "blocks.$1.pos_embedding.embedding."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.0\\.SelfAttention\\.([qkvo])\\.", "blocks.$1.attn.$2."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.1\\.layer_norm\\.", "blocks.$1.norm2."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.1\\.DenseReluDense\\.wi_0\\.", "blocks.$1.ffn.gate.0."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.1\\.DenseReluDense\\.wi_1\\.", "blocks.$1.ffn.fc1."),
            regex("encoder\\.block\\.(\\d+)\\.layer\\.1\\.DenseReluDense\\.wo\\.", "blocks.$1.ffn.fc2."),
            renamePrefix("encoder.final_layer_norm.", "norm.")));

    /**
     * HF {@code CLIPVisionModel(WithProjection)} → official {@code visual.*} names (§8.6), renames only: the
     * {@code q_proj/k_proj/v_proj} split, {@code visual_projection} and the embeddings' shapes are not handled here.
     */
    public static final KeyMapping HF_CLIP = KeyMapping.of("HF CLIP vision", List.of(
            renamePrefix("vision_model.embeddings.patch_embedding.", "visual.patch_embedding."),
            renamePrefix("vision_model.pre_layrnorm.", "visual.pre_norm."),
            regex("vision_model\\.encoder\\.layers\\.(\\d+)\\.layer_norm([12])\\.", "visual.transformer.$1.norm$2."),
            regex("vision_model\\.encoder\\.layers\\.(\\d+)\\.self_attn\\.out_proj\\.", "visual.transformer.$1.attn.proj."),
            regex("vision_model\\.encoder\\.layers\\.(\\d+)\\.mlp\\.fc1\\.", "visual.transformer.$1.mlp.0."),
            regex("vision_model\\.encoder\\.layers\\.(\\d+)\\.mlp\\.fc2\\.", "visual.transformer.$1.mlp.2."),
            renamePrefix("vision_model.post_layernorm.", "visual.post_norm.")));

    private static List<KeyMapping.Rule> diffusersDit() {
        String b = "blocks\\.(\\d+)\\.";
        List<KeyMapping.Rule> rules = new ArrayList<>(List.of(
                renamePrefix("condition_embedder.text_embedder.linear_1.", "text_embedding.0."),
                renamePrefix("condition_embedder.text_embedder.linear_2.", "text_embedding.2."),
                renamePrefix("condition_embedder.time_embedder.linear_1.", "time_embedding.0."),
                renamePrefix("condition_embedder.time_embedder.linear_2.", "time_embedding.2."),
                renamePrefix("condition_embedder.time_proj.", "time_projection.1."),
                renamePrefix("condition_embedder.image_embedder.norm1.", "img_emb.proj.0."),
                renamePrefix("condition_embedder.image_embedder.ff.net.0.proj.", "img_emb.proj.1."),
                renamePrefix("condition_embedder.image_embedder.ff.net.2.", "img_emb.proj.3."),
                renamePrefix("condition_embedder.image_embedder.norm2.", "img_emb.proj.4."),
                regex("scale_shift_table$", "head.modulation"),
                renamePrefix("proj_out.", "head.head."),
                regex(b + "scale_shift_table$", "blocks.$1.modulation"),
                regex(b + "attn1\\.to_([qkv])\\.", "blocks.$1.self_attn.$2."),
                regex(b + "attn1\\.to_out\\.0\\.", "blocks.$1.self_attn.o."),
                regex(b + "attn1\\.norm_([qk])\\.", "blocks.$1.self_attn.norm_$2."),
                regex(b + "norm2\\.", "blocks.$1.norm3."),
                regex(b + "attn2\\.to_([qkv])\\.", "blocks.$1.cross_attn.$2."),
                regex(b + "attn2\\.to_out\\.0\\.", "blocks.$1.cross_attn.o."),
                regex(b + "attn2\\.norm_([qk])\\.", "blocks.$1.cross_attn.norm_$2."),
                regex(b + "attn2\\.add_k_proj\\.", "blocks.$1.cross_attn.k_img."),
                regex(b + "attn2\\.add_v_proj\\.", "blocks.$1.cross_attn.v_img."),
                regex(b + "attn2\\.norm_added_k\\.", "blocks.$1.cross_attn.norm_k_img."),
                regex(b + "ffn\\.net\\.0\\.proj\\.", "blocks.$1.ffn.0."),
                regex(b + "ffn\\.net\\.2\\.", "blocks.$1.ffn.2."),
                regex("face_adapter\\.(\\d+)\\.to_q\\.", "face_adapter.fuser_blocks.$1.linear1_q."),
                regex("face_adapter\\.(\\d+)\\.to_out\\.", "face_adapter.fuser_blocks.$1.linear2."),
                regex("face_adapter\\.(\\d+)\\.norm_q\\.", "face_adapter.fuser_blocks.$1.q_norm."),
                regex("face_adapter\\.(\\d+)\\.norm_k\\.", "face_adapter.fuser_blocks.$1.k_norm."),
                regex("face_encoder\\.(conv1_local|conv2|conv3)\\.(weight|bias)$", "face_encoder.$1.conv.$2"),
                renamePrefix("motion_encoder.conv_in.weight", "motion_encoder.enc.net_app.convs.0.0.weight"),
                renamePrefix("motion_encoder.conv_out.weight", "motion_encoder.enc.net_app.convs.8.weight"),
                regex("motion_encoder\\.motion_network\\.(\\d+)\\.", "motion_encoder.enc.fc.$1."),
                renamePrefix("motion_encoder.motion_synthesis_weight", "motion_encoder.dec.direction.weight")));
        // diffusers numbers the 7 residual blocks from 0, the official net_app.convs from 1 (convs.0 is conv_in).
        for (int k = 1; k <= 7; k++) {
            String from = "motion_encoder.res_blocks." + (k - 1) + ".";
            String to = "motion_encoder.enc.net_app.convs." + k + ".";
            rules.add(renamePrefix(from + "conv1.weight", to + "conv1.0.weight"));
            rules.add(renamePrefix(from + "conv2.weight", to + "conv2.1.weight"));
            rules.add(renamePrefix(from + "conv_skip.weight", to + "skip.1.weight"));
        }
        return rules;
    }

    private static List<KeyMapping.Rule> diffusersVae() {
        List<KeyMapping.Rule> rules = new ArrayList<>(List.of(
                regex("(en|de)coder\\.conv_in\\.", "$1coder.conv1."),
                regex("(en|de)coder\\.norm_out\\.gamma$", "$1coder.head.0.gamma"),
                regex("(en|de)coder\\.conv_out\\.", "$1coder.head.2."),
                regex("(en|de)coder\\.mid_block\\.attentions\\.0\\.", "$1coder.middle.1."),
                renamePrefix("quant_conv.", "conv1."),
                renamePrefix("post_quant_conv.", "conv2."),
                regex("encoder\\.down_blocks\\.(\\d+)\\.(resample\\.1|time_conv)\\.", "encoder.downsamples.$1.$2.")));
        rules.addAll(residual("encoder\\.down_blocks\\.(\\d+)\\.", "encoder.downsamples.$1."));
        rules.addAll(residual("(en|de)coder\\.mid_block\\.resnets\\.0\\.", "$1coder.middle.0."));
        rules.addAll(residual("(en|de)coder\\.mid_block\\.resnets\\.1\\.", "$1coder.middle.2."));
        // decoder.upsamples is one flat list: up block B holds residual blocks 4B..4B+2 and its upsampler at 4B+3.
        for (int block = 0; block < 4; block++) {
            for (int r = 0; r < 3; r++) {
                rules.addAll(residual("decoder\\.up_blocks\\." + block + "\\.resnets\\." + r + "\\.",
                        "decoder.upsamples." + (4 * block + r) + "."));
            }
            if (block < 3) {
                rules.add(regex("decoder\\.up_blocks\\." + block + "\\.upsamplers\\.0\\.(resample\\.1|time_conv)\\.",
                        "decoder.upsamples." + (4 * block + 3) + ".$1."));
            }
        }
        return rules;
    }

    /** The residual block renames of §8.5 under a block prefix. */
    private static List<KeyMapping.Rule> residual(String fromRegex, String to) {
        return List.of(
                regex(fromRegex + "norm1\\.gamma$", to + "residual.0.gamma"),
                regex(fromRegex + "conv1\\.", to + "residual.2."),
                regex(fromRegex + "norm2\\.gamma$", to + "residual.3.gamma"),
                regex(fromRegex + "conv2\\.", to + "residual.6."),
                regex(fromRegex + "conv_shortcut\\.", to + "shortcut."));
    }

    /**
     * The mapping that brings {@code source} to official names, found by probing keys (NETWORKS.md §8.7): ComfyUI
     * prefixes are stripped when present, then the naming scheme is recognised from one signature key per
     * component. Official names give the identity.
     *
     * @param source the tensors read
     * @return the detect
     */
    public static KeyMapping detect(ParameterSource source) {
        Set<String> keys = source.keys();
        KeyMapping prefixes = KeyMapping.identity();
        for (String key : keys) {
            if (key.startsWith("model.diffusion_model.") || key.startsWith("diffusion_model.")) {
                prefixes = COMFY_PREFIXES;
                break;
            }
        }
        KeyMapping stripped = prefixes;
        Predicate<String> has = probe -> keys.contains(probe)
                || !stripped.isIdentity() && (keys.contains("model.diffusion_model." + probe)
                || keys.contains("diffusion_model." + probe));
        if (has.test("blocks.0.attn1.to_q.weight") || has.test("condition_embedder.time_proj.weight")) {
            return prefixes.then(DIFFUSERS_DIT);
        }
        if (has.test("encoder.conv_in.weight") || has.test("decoder.conv_in.weight")) {
            return prefixes.then(DIFFUSERS_VAE);
        }
        if (has.test("shared.weight") || has.test("encoder.block.0.layer.0.SelfAttention.q.weight")) {
            return prefixes.then(HF_T5);
        }
        if (has.test("vision_model.encoder.layers.0.self_attn.q_proj.weight")
                || has.test("vision_model.embeddings.patch_embedding.weight")) {
            return prefixes.then(HF_CLIP);
        }
        return prefixes;
    }

    /**
     * {@code source} under official names and layouts: itself when it already uses them, else a renamed view, with
     * the explicit transforms of the diffusers DiT and HF CLIP layouts applied on top.
     *
     * @param source the tensors read
     * @return the result
     */
    public static ParameterSource toOfficial(ParameterSource source) {
        KeyMapping mapping = detect(source);
        if (mapping.isIdentity()) {
            return source;
        }
        ParameterSource renamed = new RenamedParameterSource(source, mapping);
        if (mapping.name().endsWith(DIFFUSERS_DIT.name())) {
            return diffusersDitTransforms(renamed);
        }
        if (mapping.name().endsWith(HF_CLIP.name())) {
            return hfClipTransforms(renamed);
        }
        return renamed;
    }

    private static final Pattern FACE_ADAPTER_TO_K = Pattern.compile("face_adapter\\.(\\d+)\\.to_k\\.(weight|bias)");
    private static final Pattern MOTION_ACT_BIAS = Pattern.compile(
            "motion_encoder\\.(conv_in|res_blocks\\.(\\d+)\\.(conv1|conv2))\\.act_fn\\.bias");
    private static final Pattern CLIP_Q_PROJ = Pattern.compile(
            "vision_model\\.encoder\\.layers\\.(\\d+)\\.self_attn\\.q_proj\\.(weight|bias)");

    /**
     * After {@link #DIFFUSERS_DIT}: rows of {@code face_adapter.i.to_k} and {@code to_v} concatenated into
     * {@code face_adapter.fuser_blocks.i.linear1_kv}, and the squeezed motion-encoder activation biases reshaped
     * back to [1,C,1,1] under their official names (NETWORKS.md §8.3).
     *
     * @param renamed the renamed view
     * @return the diffusers dit transforms
     */
    public static ParameterSource diffusersDitTransforms(ParameterSource renamed) {
        TransformedParameterSource.Builder b = TransformedParameterSource.builder(renamed);
        for (String key : renamed.keys()) {
            Matcher kv = FACE_ADAPTER_TO_K.matcher(key);
            if (kv.matches()) {
                String v = "face_adapter." + kv.group(1) + ".to_v." + kv.group(2);
                if (renamed.contains(v)) {
                    b.concatRows("face_adapter.fuser_blocks." + kv.group(1) + ".linear1_kv." + kv.group(2),
                            List.of(key, v));
                }
            }
            Matcher bias = MOTION_ACT_BIAS.matcher(key);
            if (bias.matches() && renamed.shape(key).length == 1) {
                String target = bias.group(2) == null ? "motion_encoder.enc.net_app.convs.0.1.bias"
                        : "motion_encoder.enc.net_app.convs." + (Integer.parseInt(bias.group(2)) + 1) + "."
                        + bias.group(3) + (bias.group(3).equals("conv1") ? ".1.bias" : ".2.bias");
                b.reshape(target, key, 1, renamed.shape(key)[0], 1, 1);
            }
        }
        return b.build();
    }

    /**
     * After {@link #HF_CLIP}: {@code q_proj/k_proj/v_proj} concatenated into {@code attn.to_qkv}, the class and
     * position embeddings given their leading 1s, and {@code visual_projection.weight} transposed into
     * {@code visual.head} (NETWORKS.md §8.6).
     *
     * @param renamed the renamed view
     * @return the hf clip transforms
     */
    public static ParameterSource hfClipTransforms(ParameterSource renamed) {
        TransformedParameterSource.Builder b = TransformedParameterSource.builder(renamed);
        for (String key : renamed.keys()) {
            Matcher q = CLIP_Q_PROJ.matcher(key);
            if (q.matches()) {
                String prefix = "vision_model.encoder.layers." + q.group(1) + ".self_attn.";
                String k = prefix + "k_proj." + q.group(2);
                String v = prefix + "v_proj." + q.group(2);
                if (renamed.contains(k) && renamed.contains(v)) {
                    b.concatRows("visual.transformer." + q.group(1) + ".attn.to_qkv." + q.group(2), List.of(key, k, v));
                }
            }
        }
        String cls = "vision_model.embeddings.class_embedding";
        if (renamed.contains(cls) && renamed.shape(cls).length == 1) {
            b.reshape("visual.cls_embedding", cls, 1, 1, renamed.shape(cls)[0]);
        }
        String pos = "vision_model.embeddings.position_embedding.weight";
        if (renamed.contains(pos) && renamed.shape(pos).length == 2) {
            long[] s = renamed.shape(pos);
            b.reshape("visual.pos_embedding", pos, 1, s[0], s[1]);
        }
        String projection = "visual_projection.weight";
        if (renamed.contains(projection)) {
            b.transpose("visual.head", projection);
        }
        return b.build();
    }
}
