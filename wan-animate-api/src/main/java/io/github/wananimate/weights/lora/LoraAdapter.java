package io.github.wananimate.weights.lora;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.PytorchCheckpoint;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.WeightException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A low-rank adapter read from a file (NETWORKS.md §7): per adapted Linear {@code P}, a down matrix
 * {@code A [r, in]} and an up matrix {@code B [out, r]}, merged as {@code W' = W + strength·(alpha/r)·B·A}
 * by {@link LoraMergedSource}.
 *
 * <p>Accepted layouts: PEFT ({@code P.lora_A.weight} / {@code P.lora_B.weight}, also with an adapter name such as
 * {@code P.lora_A.default.weight}) and kohya/ComfyUI ({@code P.lora_down.weight} / {@code P.lora_up.weight}),
 * optional per-module {@code P.alpha} scalars; module paths may carry the prefixes {@code base_model.model.},
 * {@code model.diffusion_model.}, {@code diffusion_model.}, {@code transformer.} (stripped). Diffusers block names
 * ({@code attn1.to_q}, {@code attn2.add_k_proj}, {@code ffn.net.0.proj}, … — table §8.3) are mapped to the
 * official ones. The rank comes from the tensors; alpha from the {@code .alpha} tensor, else the safetensors
 * metadata ({@code lora_alpha}, {@code alpha}, {@code ss_network_alpha}), else a PEFT {@code adapter_config.json}
 * beside the file, else alpha = rank. Which modules must be adapted is checked where the LoRA meets a checkpoint:
 * {@link LoraTargets} (e.g. the exact rule of the official Relighting LoRA) given to {@link LoraMergedSource}.
 */
public final class LoraAdapter implements AutoCloseable {

    /** One adapted Linear: its module path (checkpoint key without {@code .weight}) and where A and B live. */
    public record Layer(String module, String downKey, String upKey, int rank, long in, long out, double alpha) {

        /** {@code alpha / rank}. */
        public double scale() {
            return alpha / rank;
        }
    }

    private static final List<String> PREFIXES = List.of("base_model.model.", "model.diffusion_model.",
            "diffusion_model.", "transformer.");

    /** Diffusers module names inside a block (§8.3) → official. Longest first. */
    private static final Map<String, String> DIFFUSERS_NAMES = linkedMap(
            ".attn1.to_out.0", ".self_attn.o", ".attn1.to_q", ".self_attn.q", ".attn1.to_k", ".self_attn.k",
            ".attn1.to_v", ".self_attn.v", ".attn2.to_out.0", ".cross_attn.o", ".attn2.to_q", ".cross_attn.q",
            ".attn2.to_k", ".cross_attn.k", ".attn2.to_v", ".cross_attn.v", ".attn2.add_k_proj", ".cross_attn.k_img",
            ".attn2.add_v_proj", ".cross_attn.v_img", ".ffn.net.0.proj", ".ffn.0", ".ffn.net.2", ".ffn.2");

    private enum Role { DOWN, UP, ALPHA }

    private record Parsed(String module, Role role) {
    }

    private final ParameterSource source;
    private final String description;
    private final Map<String, Layer> layers;
    private final List<String> unrecognisedKeys;

    private LoraAdapter(ParameterSource source, String description, Map<String, Layer> layers,
            List<String> unrecognisedKeys) {
        this.source = source;
        this.description = description;
        this.layers = layers;
        this.unrecognisedKeys = unrecognisedKeys;
    }

    /**
     * Opens a {@code .safetensors} LoRA, or a PyTorch {@code .ckpt}/{@code .pt}/{@code .pth}/{@code .bin} holding
     * the state dict either at top level or under {@code "state_dict"}.
     */
    public static LoraAdapter open(Path file) {
        return open(file, null);
    }

    /**
     * {@link #open(Path)} with an explicit {@code alpha} for modules without an {@code .alpha} tensor, for a LoRA
     * (e.g. a PEFT file without its {@code adapter_config.json}) that does not carry the alpha it was trained with.
     * It replaces the file's metadata and {@code adapter_config.json} value; {@code null} keeps the rule of
     * {@link #open(Path)}.
     *
     * @throws IllegalArgumentException when {@code alpha} is not a finite number > 0
     */
    public static LoraAdapter open(Path file, Double alpha) {
        if (alpha != null && !(Double.isFinite(alpha) && alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be a finite number > 0, got " + alpha);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ParameterSource source;
        Double metadataAlpha;
        if (name.endsWith(".safetensors")) {
            SafetensorsFile st = SafetensorsFile.open(file);
            source = st;
            metadataAlpha = alphaFromMetadata(st.metadata(), file);
        } else if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")) {
            source = PytorchCheckpoint.open(file);
            metadataAlpha = null;
        } else {
            throw new WeightException("LoRA file " + file + ": unknown format (expected .safetensors, .ckpt, .pt, .pth)");
        }
        if (alpha != null) {
            metadataAlpha = alpha;
        } else if (metadataAlpha == null) {
            metadataAlpha = alphaFromPeftConfig(file.resolveSibling("adapter_config.json"));
        }
        try {
            return of(source, file.toString(), metadataAlpha);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * Reads the LoRA tensors of {@code source}.
     *
     * @param defaultAlpha alpha for modules without a {@code .alpha} tensor; null means alpha = rank
     */
    public static LoraAdapter of(ParameterSource source, String description, Double defaultAlpha) {
        Map<String, String> down = new TreeMap<>();
        Map<String, String> up = new TreeMap<>();
        Map<String, String> alpha = new TreeMap<>();
        List<String> unrecognised = new ArrayList<>();
        for (String key : source.keys()) {
            Parsed p = parse(key);
            if (p == null) {
                unrecognised.add(key);
                continue;
            }
            Map<String, String> target = p.role() == Role.DOWN ? down : p.role() == Role.UP ? up : alpha;
            String previous = target.put(p.module(), key);
            if (previous != null) {
                throw new WeightException("LoRA " + description + ": keys '" + previous + "' and '" + key
                        + "' both name the " + p.role().name().toLowerCase(Locale.ROOT) + " matrix of module '"
                        + p.module() + "'");
            }
        }
        List<String> problems = new ArrayList<>();
        for (String m : down.keySet()) {
            if (!up.containsKey(m)) {
                problems.add("module '" + m + "' has a down/A matrix ('" + down.get(m) + "') but no up/B matrix");
            }
        }
        for (String m : up.keySet()) {
            if (!down.containsKey(m)) {
                problems.add("module '" + m + "' has an up/B matrix ('" + up.get(m) + "') but no down/A matrix");
            }
        }
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (String m : down.keySet()) {
            if (!up.containsKey(m)) {
                continue;
            }
            long[] a = source.shape(down.get(m));
            long[] b = source.shape(up.get(m));
            if (a.length != 2 || b.length != 2 || a[0] != b[1]) {
                problems.add("module '" + m + "': A " + Shapes.toString(a) + " and B " + Shapes.toString(b)
                        + " are not [r, in] and [out, r] with the same r");
                continue;
            }
            if (a[0] < 1 || a[0] > Integer.MAX_VALUE) {
                problems.add("module '" + m + "': rank " + a[0] + " (A " + Shapes.toString(a) + ")");
                continue;
            }
            int rank = (int) a[0];
            double layerAlpha = alpha.containsKey(m) ? scalar(source, alpha.get(m), description)
                    : defaultAlpha != null ? defaultAlpha : rank;
            layers.put(m, new Layer(m, down.get(m), up.get(m), rank, a[1], b[0], layerAlpha));
        }
        for (String m : alpha.keySet()) {
            if (!down.containsKey(m) && !up.containsKey(m)) {
                unrecognised.add(alpha.get(m));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightException("LoRA " + description + " is malformed: " + problems.size() + " problem(s):\n  - "
                    + String.join("\n  - ", problems));
        }
        if (layers.isEmpty()) {
            throw new WeightException("LoRA " + description + " holds no lora_A/lora_B or lora_down/lora_up pairs; "
                    + "sample keys: " + sample(source.keys()));
        }
        return new LoraAdapter(source, description, Collections.unmodifiableMap(layers), List.copyOf(unrecognised));
    }

    /** The adapted modules by their (normalised) module path. */
    public Map<String, Layer> layers() {
        return layers;
    }

    /** Keys that are not part of any A/B pair or alpha (reported, not used). */
    public List<String> unrecognisedKeys() {
        return unrecognisedKeys;
    }

    public String description() {
        return description;
    }

    /** A as float32 {@code [r, in]}. */
    public HostTensor down(Layer layer) {
        return source.get(layer.downKey()).toF32();
    }

    /** B as float32 {@code [out, r]}. */
    public HostTensor up(Layer layer) {
        return source.get(layer.upKey()).toF32();
    }

    @Override
    public void close() {
        source.close();
    }

    /** A version of {@code module} with diffusers block names mapped to official ones (itself when none apply). */
    static String officialModuleName(String module) {
        String mapped = module;
        for (Map.Entry<String, String> e : DIFFUSERS_NAMES.entrySet()) {
            if (mapped.endsWith(e.getKey())) {
                mapped = mapped.substring(0, mapped.length() - e.getKey().length()) + e.getValue();
                break;
            }
        }
        return mapped;
    }

    private static Parsed parse(String key) {
        String k = key;
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String prefix : PREFIXES) {
                if (k.startsWith(prefix)) {
                    k = k.substring(prefix.length());
                    stripped = true;
                }
            }
        }
        if (k.endsWith(".alpha")) {
            return new Parsed(k.substring(0, k.length() - ".alpha".length()), Role.ALPHA);
        }
        if (!k.endsWith(".weight")) {
            return null;
        }
        String body = k.substring(0, k.length() - ".weight".length());
        for (String[] marker : new String[][] {{".lora_A", "A"}, {".lora_B", "B"}, {".lora_down", "A"}, {".lora_up", "B"}}) {
            int at = body.lastIndexOf(marker[0]);
            if (at <= 0) {
                continue;
            }
            String rest = body.substring(at + marker[0].length());
            // nothing after the marker, or one PEFT adapter name (".default")
            if (rest.isEmpty() || (rest.startsWith(".") && rest.indexOf('.', 1) < 0)) {
                return new Parsed(body.substring(0, at), marker[1].equals("A") ? Role.DOWN : Role.UP);
            }
        }
        return null;
    }

    private static double scalar(ParameterSource source, String key, String description) {
        HostTensor t = source.get(key);
        if (t.elementCount() != 1) {
            throw new WeightException("LoRA " + description + ": alpha '" + key + "' has shape "
                    + Shapes.toString(t.shape()) + ", expected a scalar");
        }
        return t.toFloatArray()[0];
    }

    private static Double alphaFromMetadata(Map<String, String> metadata, Path file) {
        for (String field : List.of("lora_alpha", "alpha", "ss_network_alpha")) {
            String value = metadata.get(field);
            if (value != null) {
                try {
                    return Double.parseDouble(value.trim());
                } catch (NumberFormatException e) {
                    throw new WeightException("LoRA " + file + ": metadata " + field + "='" + value
                            + "' is not a number", e);
                }
            }
        }
        return null;
    }

    private static Double alphaFromPeftConfig(Path config) {
        if (!Files.isRegularFile(config)) {
            return null;
        }
        try {
            JsonObject json = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
            return json.has("lora_alpha") ? json.get("lora_alpha").getAsDouble() : null;
        } catch (IOException | RuntimeException e) {
            throw new WeightException("cannot read PEFT config " + config + ": " + e.getMessage(), e);
        }
    }

    static String sample(Set<String> keys) {
        List<String> some = new ArrayList<>();
        for (String k : keys) {
            if (some.size() == 5) {
                some.add("… (" + keys.size() + " keys)");
                break;
            }
            some.add(k);
        }
        return some.toString();
    }

    private static Map<String, String> linkedMap(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
