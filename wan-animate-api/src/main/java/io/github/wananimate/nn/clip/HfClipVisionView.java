package io.github.wananimate.nn.clip;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * Data is only assembled when a key is read, in the stored dtype.
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
    /** Official key → how to build it. */
    private final Map<String, Derived> derived = new LinkedHashMap<>();
    private final Set<String> keys;

    private interface Derived {
        long[] shape();

        DType dtype();

        HostTensor build();
    }

    /**
     * {@code source} under official CLIP names: {@link KeyMappings#toOfficial} does the renames (for an HF vision
     * tower, {@link KeyMappings#HF_CLIP}); when HF-only tensors remain, this view completes the mapping. The official
     * {@code .pth} comes back unchanged.
     */
    public static ParameterSource toOfficial(ParameterSource source) {
        ParameterSource renamed = KeyMappings.toOfficial(source);
        boolean hfLeft = renamed.keys().stream().anyMatch(k -> k.startsWith(HF) || k.equals(PROJECTION));
        return hfLeft ? new HfClipVisionView(renamed) : renamed;
    }

    public HfClipVisionView(ParameterSource base) {
        this.base = base;
        Set<String> passThrough = new LinkedHashSet<>();
        Map<String, String[]> qkvParts = new LinkedHashMap<>();
        for (String key : base.keys()) {
            Matcher m = QKV.matcher(key);
            if (m.matches()) {
                String official = ClipVisionEncoder.PREFIX + "transformer." + m.group(1) + ".attn.to_qkv." + m.group(3);
                String[] parts = qkvParts.computeIfAbsent(official, k -> new String[3]);
                parts["qkv".indexOf(m.group(2))] = key;
            } else if (key.equals(CLASS_EMBEDDING)) {
                long d = base.shape(key)[0];
                derived.put(ClipVisionEncoder.PREFIX + "cls_embedding", reshaped(key, 1, 1, d));
            } else if (key.equals(POSITION_EMBEDDING)) {
                long[] s = base.shape(key);
                derived.put(ClipVisionEncoder.PREFIX + "pos_embedding", reshaped(key, 1, s[0], s[1]));
            } else if (key.equals(PROJECTION)) {
                derived.put(ClipVisionEncoder.PREFIX + "head", transposed(key));
            } else if (!key.equals(POSITION_IDS)) {
                passThrough.add(key);
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
            derived.put(e.getKey(), concatenated(e.getKey(), parts));
        }
        Set<String> all = new LinkedHashSet<>(passThrough);
        all.addAll(derived.keySet());
        keys = Collections.unmodifiableSet(all);
    }

    private Derived reshaped(String key, long... shape) {
        return new Derived() {
            public long[] shape() {
                return shape.clone();
            }

            public DType dtype() {
                return base.dtype(key);
            }

            public HostTensor build() {
                return base.get(key).reshape(shape);
            }
        };
    }

    private Derived transposed(String key) {
        long[] s = base.shape(key);
        if (s.length != 2) {
            throw new WeightException(base.description() + ": '" + key + "' must be 2-D, has shape "
                    + Arrays.toString(s));
        }
        return new Derived() {
            public long[] shape() {
                return new long[] {s[1], s[0]};
            }

            public DType dtype() {
                return base.dtype(key);
            }

            public HostTensor build() {
                HostTensor t = base.get(key);
                int size = t.dtype().byteSize();
                int rows = Math.toIntExact(s[0]);
                int cols = Math.toIntExact(s[1]);
                ByteBuffer in = t.data();
                ByteBuffer out = ByteBuffer.allocateDirect(rows * cols * size).order(ByteOrder.LITTLE_ENDIAN);
                for (int c = 0; c < cols; c++) {
                    for (int r = 0; r < rows; r++) {
                        int from = (r * cols + c) * size;
                        for (int b = 0; b < size; b++) {
                            out.put(in.get(from + b));
                        }
                    }
                }
                return HostTensor.of(t.dtype(), shape(), out.flip());
            }
        };
    }

    private Derived concatenated(String official, String[] parts) {
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
        long[] shape = first.clone();
        shape[0] *= 3;
        return new Derived() {
            public long[] shape() {
                return shape.clone();
            }

            public DType dtype() {
                return dtype;
            }

            public HostTensor build() {
                long bytes = 0;
                HostTensor[] tensors = new HostTensor[3];
                for (int i = 0; i < 3; i++) {
                    tensors[i] = base.get(parts[i]);
                    bytes += tensors[i].byteSize();
                }
                ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors) {
                    out.put(t.data());
                }
                return HostTensor.of(dtype, shape, out.flip());
            }
        };
    }

    @Override
    public Set<String> keys() {
        return keys;
    }

    @Override
    public long[] shape(String key) {
        Derived d = derived.get(key);
        return d != null ? d.shape() : base.shape(key);
    }

    @Override
    public DType dtype(String key) {
        Derived d = derived.get(key);
        return d != null ? d.dtype() : base.dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        Derived d = derived.get(key);
        if (d != null) {
            return d.build();
        }
        if (!keys.contains(key)) {
            throw new WeightException(description() + " has no key '" + key + "'");
        }
        return base.get(key);
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
