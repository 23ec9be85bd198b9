package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A view of a checkpoint that stores weights as float8 ({@code F8_E4M3} = PyTorch's {@code float8_e4m3fn},
 * {@code F8_E5M2}), as the ComfyUI / Kijai repacks of the Wan models do, with or without per-tensor scales. The
 * float8 bytes stay where they are (the mapped file); {@link #get} dequantises one tensor when it is read
 * ({@code stored value × scale}, in float32, then rounded once to {@link #dequantisedDtype()}); {@link #float8} hands
 * a backend the stored bytes with the 256 values they dequantise to instead, so that the weights stay float8 up to
 * the device and are looked up there.
 *
 * <p>The format, as read by the loaders that write these files (their sources were consulted, not copied):
 * <ul>
 *   <li>{@code <module>.scale_weight}: the float32 per-tensor scale of {@code <module>.weight}; Kijai's
 *       {@code CustomLinear} computes {@code weight.to(dtype) * scale_weight} (kijai/ComfyUI-WanVideoWrapper,
 *       {@code custom_linear.py}; the scales are collected by key suffix in {@code nodes_model_loading.py}, which
 *       also renames the alternative suffix {@code .weight_scale} to {@code .scale_weight}).</li>
 *   <li>{@code scaled_fp8} (possibly under a prefix such as {@code model.diffusion_model.}): an empty marker tensor
 *       whose dtype names the float8 flavour; Kijai's loader treats a file with it, or with any scale key, as
 *       "scaled", ComfyUI pops it before loading (comfyanonymous/ComfyUI, {@code comfy/model_detection.py},
 *       {@code model_config_from_unet}).</li>
 *   <li>{@code <module>.scale_input} / {@code <module>.input_scale}: activation scales for float8 matrix products;
 *       a weight-only dequantisation does not use them.</li>
 *   <li>{@code <module>.comfy_quant}: ComfyUI's per-layer JSON (uint8) naming the quantisation format, with the
 *       scale under {@code <module>.weight_scale} (ComfyUI {@code comfy/ops.py}, {@code mixed_precision_ops});
 *       only the float8 formats are accepted.</li>
 * </ul>
 * Norms, biases, modulation and embeddings usually stay bf16/fp32 in these files and pass through unchanged.
 *
 * <p>Validation happens when the view is made, from the headers and the (scalar) scales only: a scale without its
 * weight, a scale that is not one finite positive number, a non-float8 {@code comfy_quant} format and, in a scaled
 * checkpoint, a float8 tensor without a scale are each a {@link WeightException} naming the key. A NaN or infinite
 * float8 value is found (and refused, naming the key) when the tensor is dequantised.
 */
public final class Fp8Checkpoint implements ParameterSource {

    /** Suffixes of a weight's per-tensor scale: Kijai's name, and ComfyUI's (which Kijai renames to the first). */
    static final List<String> SCALE_SUFFIXES = List.of(".scale_weight", ".weight_scale");
    /** Suffixes of activation scales, consumed and unused. */
    static final List<String> INPUT_SCALE_SUFFIXES = List.of(".scale_input", ".input_scale");
    static final String MARKER = "scaled_fp8";
    static final String COMFY_QUANT_SUFFIX = ".comfy_quant";
    private static final Pattern COMFY_FORMAT = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]*)\"");

    private final ParameterSource base;
    private final DType dequantised;
    /** Float8 (or scaled) key → its scale (1 when the file has none for it). */
    private final Map<String, Float> scales;
    private final Set<String> consumed;
    private final Set<String> keys;
    private final boolean scaled;
    /** Keys whose bytes {@link #float8} has scanned for codes that dequantise to NaN or infinity. */
    private final Set<String> finiteChecked = ConcurrentHashMap.newKeySet();

    private Fp8Checkpoint(ParameterSource base, DType dequantised) {
        if (dequantised != DType.F32 && dequantised != DType.BF16 && dequantised != DType.F16) {
            throw new IllegalArgumentException("float8 weights dequantise to F32, BF16 or F16, not " + dequantised);
        }
        this.base = base;
        this.dequantised = dequantised;
        Set<String> all = base.keys();
        List<String> problems = new ArrayList<>();
        Set<String> aux = new LinkedHashSet<>();
        Map<String, String> scaleKeyOf = new LinkedHashMap<>();
        boolean marker = false;
        for (String key : all) {
            if (key.equals(MARKER) || key.endsWith("." + MARKER)) {
                aux.add(key);
                marker = true;
                continue;
            }
            String scaleSuffix = suffix(key, SCALE_SUFFIXES);
            if (scaleSuffix != null) {
                aux.add(key);
                String weight = key.substring(0, key.length() - scaleSuffix.length()) + ".weight";
                if (!all.contains(weight)) {
                    problems.add("scale '" + key + "' has no weight '" + weight + "'");
                } else {
                    String other = scaleKeyOf.put(weight, key);
                    if (other != null) {
                        problems.add("weight '" + weight + "' has two scales, '" + other + "' and '" + key + "'");
                    }
                }
                continue;
            }
            if (suffix(key, INPUT_SCALE_SUFFIXES) != null) {
                aux.add(key);
            } else if (key.endsWith(COMFY_QUANT_SUFFIX)) {
                aux.add(key);
                checkComfyQuant(key, problems);
            }
        }
        this.scaled = marker || !scaleKeyOf.isEmpty();
        Map<String, Float> s = new LinkedHashMap<>();
        for (String key : all) {
            if (aux.contains(key)) {
                continue;
            }
            String scaleKey = scaleKeyOf.get(key);
            if (scaleKey != null) {
                Float value = readScale(scaleKey, problems);
                if (value != null) {
                    s.put(key, value);
                }
            } else if (isFloat8(base.dtype(key))) {
                if (scaled) {
                    problems.add("float8 tensor '" + key + "' (" + base.dtype(key) + ") has no scale '"
                            + key.replaceFirst("\\.weight$", "") + SCALE_SUFFIXES.get(0) + "' in a scaled float8 "
                            + "checkpoint");
                } else {
                    s.put(key, 1f);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightException(base.description() + ": malformed float8 checkpoint, " + problems.size()
                    + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
        this.scales = Collections.unmodifiableMap(s);
        this.consumed = Collections.unmodifiableSet(aux);
        Set<String> visible = new LinkedHashSet<>(all);
        visible.removeAll(aux);
        this.keys = Collections.unmodifiableSet(visible);
    }

    /**
     * {@code source} as an {@link Fp8Checkpoint} dequantising to float32 when it holds a float8 tensor or any of
     * the scale / marker keys above, else {@code source} itself.
     *
     * @param source the tensors read
     * @throws WeightException naming every malformed key (the caller still owns {@code source})
     * @return the wrap if float8
     */
    public static ParameterSource wrapIfFloat8(ParameterSource source) {
        return wrapIfFloat8(source, DType.F32);
    }

    /**
     * {@return {@link #wrapIfFloat8(ParameterSource)} dequantising to {@code dequantised} (F32, BF16 or F16)}
     *
     * @param source the tensors read
     * @param dequantised the dequantised view
     */
    public static ParameterSource wrapIfFloat8(ParameterSource source, DType dequantised) {
        if (source instanceof Fp8Checkpoint f) {
            return f.dequantised == dequantised ? f : new Fp8Checkpoint(f.base, dequantised);
        }
        for (String key : source.keys()) {
            if (isFloat8(source.dtype(key)) || key.equals(MARKER) || key.endsWith("." + MARKER)
                    || suffix(key, SCALE_SUFFIXES) != null || key.endsWith(COMFY_QUANT_SUFFIX)) {
                return new Fp8Checkpoint(source, dequantised);
            }
        }
        return source;
    }

    /**
     * Whether a dtype is one of the float8 formats.
     *
     * @param dtype the element type
     * @return whether it is F8_E4M3 or F8_E5M2
     */
    public static boolean isFloat8(DType dtype) {
        return dtype == DType.F8_E4M3 || dtype == DType.F8_E5M2;
    }

    private static String suffix(String key, List<String> suffixes) {
        for (String s : suffixes) {
            if (key.endsWith(s)) {
                return s;
            }
        }
        return null;
    }

    private Float readScale(String key, List<String> problems) {
        long[] shape = base.shape(key);
        if (Shapes.elementCount(shape) != 1 || !base.dtype(key).isFloatingPoint()) {
            problems.add("scale '" + key + "' is " + base.dtype(key) + " " + Shapes.toString(shape)
                    + ", expected one floating-point number (a per-tensor scale)");
            return null;
        }
        float value = base.get(key).toFloatArray()[0];
        if (!(Float.isFinite(value) && value > 0)) {
            problems.add("scale '" + key + "' is " + value + ", expected a finite number > 0");
            return null;
        }
        return value;
    }

    private void checkComfyQuant(String key, List<String> problems) {
        HostTensor t = base.get(key);
        ByteBuffer data = t.data();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        Matcher m = COMFY_FORMAT.matcher(new String(bytes, StandardCharsets.UTF_8));
        String format = m.find() ? m.group(1) : null;
        if (!"float8_e4m3fn".equals(format) && !"float8_e5m2".equals(format)) {
            problems.add("'" + key + "' declares quantisation format " + (format == null ? "(none)" : "'" + format
                    + "'") + "; only float8_e4m3fn and float8_e5m2 are supported");
        }
    }

    /** {@return the base checkpoint, as stored (float8 dtypes, scale and marker keys included)} */
    public ParameterSource base() {
        return base;
    }

    /** {@return the dtype {@link #get} returns float8 tensors in} */
    public DType dequantisedDtype() {
        return dequantised;
    }

    /** {@return whether the file carries scales (or the {@code scaled_fp8} marker)} */
    public boolean scaled() {
        return scaled;
    }

    /** {@return the dequantised keys with their per-tensor scale (1 for an unscaled float8 tensor)} */
    public Map<String, Float> scales() {
        return scales;
    }

    /** {@return the scale, marker and activation-scale keys this view consumes (absent from {@link #keys()})} */
    public Set<String> consumedKeys() {
        return consumed;
    }

    @Override
    public Set<String> keys() {
        return keys;
    }

    @Override
    public long[] shape(String key) {
        return base.shape(visible(key));
    }

    @Override
    public DType dtype(String key) {
        return scales.containsKey(visible(key)) ? dequantised : base.dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        Float scale = scales.get(visible(key));
        if (scale == null) {
            return base.get(key);
        }
        return dequantise(key, base.get(key), scale, dequantised);
    }

    /**
     * The float8 bytes of {@code key} with their table ({@link Float8Tensor}); the first request for a key scans its
     * bytes once and refuses a code that dequantises to NaN or infinity, as {@link #get} does.
     */
    @Override
    public Optional<Float8Tensor> float8(String key) {
        Float scale = scales.get(visible(key));
        if (scale == null || !isFloat8(base.dtype(key))) {
            return Optional.empty();
        }
        HostTensor stored = base.get(key);
        float[] table = table(stored.dtype(), scale, dequantised);
        if (!finiteChecked.contains(key)) {
            checkFinite(key, stored, table, scale, dequantised);
            finiteChecked.add(key);
        }
        return Optional.of(new Float8Tensor(stored, table));
    }

    private String visible(String key) {
        if (consumed.contains(key)) {
            throw new WeightException(base.description() + ": '" + key + "' is a float8 scale or marker, consumed "
                    + "when its weight is dequantised");
        }
        return key;
    }

    /**
     * {@code stored × scale} computed in float32 and rounded once to {@code target} (F32, BF16 or F16).
     *
     * @throws WeightException naming {@code key} when a value is NaN or infinite (stored, or after scaling)
     */
    static HostTensor dequantise(String key, HostTensor stored, float scale, DType target) {
        int n = Math.toIntExact(stored.elementCount());
        ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(n, target.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer src = stored.data();
        DType dtype = stored.dtype();
        if (isFloat8(dtype)) {
            float[] table = table(dtype, scale, target);
            for (int i = 0; i < n; i++) {
                put(out, i, table[src.get(i) & 0xff], target, key, scale);
            }
        } else {
            for (int start = 0; start < n; start += 1 << 16) {   // other dtypes: convert 64 Ki at a time
                int len = Math.min(1 << 16, n - start);
                ByteBuffer slice = src.duplicate().position(start * dtype.byteSize())
                        .limit((start + len) * dtype.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
                float[] chunk = DTypeConversions.toFloatArray(dtype, slice);
                for (int j = 0; j < len; j++) {
                    put(out, start + j, rounded(chunk[j] * scale, target), target, key, scale);
                }
            }
        }
        return HostTensor.of(target, stored.shape(), out);
    }

    /**
     * Each of the 256 codes of {@code dtype} decoded, times {@code scale} (the same float32 product as per element)
     * and rounded to {@code target}: a float8 tensor dequantises by looking its bytes up here.
     */
    static float[] table(DType dtype, float scale, DType target) {
        float[] table = new float[Float8Tensor.CODES];
        for (int code = 0; code < table.length; code++) {
            float v = dtype == DType.F8_E4M3 ? DTypeConversions.f8e4m3fnToFloat((byte) code)
                    : DTypeConversions.f8e5m2ToFloat((byte) code);
            table[code] = rounded(v * scale, target);
        }
        return table;
    }

    /** Refuses, as {@link #put} would, the first element whose code dequantises to a non-finite value. */
    private static void checkFinite(String key, HostTensor stored, float[] table, float scale, DType target) {
        boolean[] bad = new boolean[table.length];
        boolean any = false;
        for (int code = 0; code < table.length; code++) {
            bad[code] = !Float.isFinite(table[code]);
            any |= bad[code];
        }
        if (!any) {
            return;
        }
        ByteBuffer src = stored.data();
        int n = Math.toIntExact(stored.elementCount());
        for (int i = 0; i < n; i++) {
            int code = src.get(i) & 0xff;
            if (bad[code]) {
                throw nonFinite(key, i, table[code], target, scale);
            }
        }
    }

    private static WeightException nonFinite(String key, int element, float value, DType target, float scale) {
        return new WeightException("'" + key + "': element " + element + " dequantises to " + value + " in " + target
                + " (scale " + scale + "); a float8 weight must dequantise to finite values");
    }

    /** {@code value} rounded to {@code target} and back to float32. */
    private static float rounded(float value, DType target) {
        return switch (target) {
            case BF16 -> DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(value));
            case F16 -> DTypeConversions.f16ToFloat(DTypeConversions.floatToF16(value));
            default -> value;
        };
    }

    /** Writes element {@code i} (already rounded to {@code target}, so the 16-bit encodings are exact). */
    private static void put(ByteBuffer out, int i, float value, DType target, String key, float scale) {
        if (!Float.isFinite(value)) {
            throw nonFinite(key, i, value, target, scale);
        }
        switch (target) {
            case BF16 -> out.putShort(2 * i, DTypeConversions.floatToBf16(value));
            case F16 -> out.putShort(2 * i, DTypeConversions.floatToF16(value));
            default -> out.putFloat(4 * i, value);
        }
    }

    @Override
    public String description() {
        return base.description();
    }

    @Override
    public void close() {
        base.close();
    }

    /** {@return a one-line summary for inspection: counts of float8 and scaled tensors, and the consumed keys} */
    public String summary() {
        Map<DType, Integer> byDtype = new java.util.TreeMap<>();
        int withScale = 0;
        for (Map.Entry<String, Float> e : scales.entrySet()) {
            byDtype.merge(base.dtype(e.getKey()), 1, Integer::sum);
            if (e.getValue() != 1f || scaled) {
                withScale++;
            }
        }
        return "float8 checkpoint: " + byDtype + " tensor(s) dequantised to " + dequantised + " when read"
                + (scaled ? ", " + withScale + " with per-tensor scales" : ", unscaled") + "; " + consumed.size()
                + " scale/marker key(s) consumed " + new TreeSet<>(consumed).stream().limit(3).toList()
                + (consumed.size() > 3 ? "…" : "");
    }
}
