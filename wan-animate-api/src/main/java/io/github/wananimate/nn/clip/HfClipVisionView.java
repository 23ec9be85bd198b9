package io.github.wananimate.nn.clip;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.ParameterSources;
import io.github.wananimate.weights.TransformedParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the HF {@code CLIPVisionModel(WithProjection)} → official CLIP mapping (NETWORKS.md §8.6) that is not
 * a rename, as a lazy view over a source whose other keys already carry official names (after
 * {@code KeyMappings.HF_CLIP}):
 * <ul>
 *   <li>{@code …layers.i.self_attn.{q,k,v}_proj.{weight,bias}} → {@code visual.transformer.i.attn.to_qkv.*}, the
 *       three concatenated along rows as [q | k | v];</li>
 *   <li>{@code vision_model.embeddings.class_embedding} {@code [d]} → {@code visual.cls_embedding} {@code [1,1,d]};</li>
 *   <li>{@code vision_model.embeddings.position_embedding.weight} {@code [n,d]} → {@code visual.pos_embedding}
 *       {@code [1,n,d]};</li>
 *   <li>{@code visual_projection.weight} {@code [e,d]} → {@code visual.head} {@code [d,e]} (transposed);</li>
 *   <li>{@code vision_model.embeddings.position_ids} (a buffer some exports keep) is dropped.</li>
 * </ul>
 * Data is only assembled when a key is read, in the stored dtype (by {@link TransformedParameterSource}).
 */
public final class HfClipVisionView implements ParameterSource {

    private static final String HF = "vision_model.";
    private static final Pattern QKV = Pattern.compile(
            Pattern.quote(HF) + "encoder\\.layers\\.(\\d+)\\.self_attn\\.([qkv])_proj\\.(weight|bias)");
    private static final String CLASS_EMBEDDING = HF + "embeddings.class_embedding";
    private static final String POSITION_EMBEDDING = HF + "embeddings.position_embedding.weight";
    private static final String POSITION_IDS = HF + "embeddings.position_ids";
    private static final String PROJECTION = "visual_projection.weight";

    private final ParameterSource base;
    private final ParameterSource view;

    /**
     * {@code source} under official CLIP names: {@link KeyMappings#toOfficial} does the renames (for an HF vision
     * tower, {@link KeyMappings#HF_CLIP}); when HF-only tensors remain, this view completes the mapping. The official
     * {@code .pth} comes back unchanged.
     *
     * @param source the tensors read
     * @return the result
     */
    public static ParameterSource toOfficial(ParameterSource source) {
        ParameterSource renamed = KeyMappings.toOfficial(source);
        boolean hfLeft = renamed.keys().stream().anyMatch(k -> k.startsWith(HF) || k.equals(PROJECTION));
        return hfLeft ? new HfClipVisionView(renamed) : renamed;
    }

    /**
     * The view over a Hugging Face CLIP vision checkpoint.
     *
     * @param base the checkpoint
     */
    public HfClipVisionView(ParameterSource base) {
        this.base = base;
        TransformedParameterSource.Builder derived = TransformedParameterSource.builder(base);
        Map<String, String[]> qkvParts = new LinkedHashMap<>();
        for (String key : base.keys()) {
            Matcher m = QKV.matcher(key);
            if (m.matches()) {
                String official = ClipVisionEncoder.PREFIX + "transformer." + m.group(1) + ".attn.to_qkv." + m.group(3);
                String[] parts = qkvParts.computeIfAbsent(official, k -> new String[3]);
                parts["qkv".indexOf(m.group(2))] = key;
            } else if (key.equals(CLASS_EMBEDDING)) {
                long d = base.shape(key)[0];
                derived.reshape(ClipVisionEncoder.PREFIX + "cls_embedding", key, 1, 1, d);
            } else if (key.equals(POSITION_EMBEDDING)) {
                long[] s = base.shape(key);
                derived.reshape(ClipVisionEncoder.PREFIX + "pos_embedding", key, 1, s[0], s[1]);
            } else if (key.equals(PROJECTION)) {
                derived.transpose(ClipVisionEncoder.PREFIX + "head", key);
            }
        }
        for (Map.Entry<String, String[]> e : qkvParts.entrySet()) {
            String[] parts = e.getValue();
            for (int i = 0; i < 3; i++) {
                if (parts[i] == null) {
                    throw new WeightException(base.description() + ": '" + e.getKey() + "' needs q_proj, k_proj and "
                            + "v_proj, but the " + "qkv".charAt(i) + "_proj tensor is missing");
                }
            }
            requireSameLayout(e.getKey(), parts);
            derived.concatRows(e.getKey(), List.of(parts));
        }
        ParameterSource transformed = derived.build();
        view = transformed.contains(POSITION_IDS)
                ? ParameterSources.without(transformed, Set.of(POSITION_IDS), "an HF buffer, not a CLIP weight")
                : transformed;
    }

    /** q, k and v projections have one shape and dtype (NETWORKS.md §8.6), so the rows stack as [q | k | v]. */
    private void requireSameLayout(String official, String[] parts) {
        long[] first = base.shape(parts[0]);
        DType dtype = base.dtype(parts[0]);
        for (String p : parts) {
            long[] s = base.shape(p);
            if (!Arrays.equals(s, first) || base.dtype(p) != dtype) {
                throw new WeightException(base.description() + ": cannot build '" + official + "': " + parts[0] + " is "
                        + dtype + " " + Arrays.toString(first) + " but " + p + " is " + base.dtype(p) + " "
                        + Arrays.toString(s));
            }
        }
    }

    @Override
    public Set<String> keys() {
        return view.keys();
    }

    @Override
    public long[] shape(String key) {
        return view.shape(key);
    }

    @Override
    public DType dtype(String key) {
        return view.dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        return view.get(key);
    }

    @Override
    public String description() {
        return base.description() + " (HF CLIP vision names)";
    }

    @Override
    public void close() {
        base.close();
    }
}
