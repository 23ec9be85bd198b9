package io.github.wananimate.samples;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.text.UnigramTokenizer;
import io.github.wananimate.weights.Fp8Checkpoint;
import io.github.wananimate.weights.KeyMapping;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.ModelFolder.Component;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What is in a model folder: for each component of {@link ModelFolder} the file(s), tensor count, dtypes and size
 * (from headers; no tensor data is read), the key-name flavour ({@link KeyMappings#detect}), and whether the keys
 * cover what the network reads (missing keys, wrong shapes, keys no network reads), plus the DiT config and the
 * tokenizer. A folder is complete when every file is there and every network binds.
 */
final class ModelInspection {

    /**
     * One component's findings.
     *
     * @param inventory what {@link ModelFolder#describe()} found
     * @param flavour the key-name scheme: {@code official}, or the mapping that brings the keys to official names
     * @param checkedAgainst the network the keys were checked against; empty when none was (LoRA, missing file)
     * @param expected keys that network reads (required and optional)
     * @param missing required keys absent
     * @param misshaped keys present with another shape, as {@code key [found] != [expected]}
     * @param unexpected keys under the network's prefix that it does not read
     */
    record ComponentReport(ModelFolder.Inventory inventory, String flavour, Optional<String> checkedAgainst,
            int expected, List<String> missing, List<String> misshaped, List<String> unexpected) {

        boolean binds() {
            return missing.isEmpty() && misshaped.isEmpty() && unexpected.isEmpty();
        }

        boolean ok() {
            return inventory.found() && binds();
        }
    }

    private final Path root;
    private final List<ComponentReport> reports;

    private ModelInspection(Path root, List<ComponentReport> reports) {
        this.root = root;
        this.reports = reports;
    }

    /** Inspects {@code folder}; throws {@link WeightException} only when it is not a folder. */
    static ModelInspection of(Path folder) {
        ModelFolder model = ModelFolder.of(folder);
        List<ModelFolder.Inventory> inventory = model.describe();
        Component[] components = Component.values();
        List<ComponentReport> reports = new ArrayList<>();
        for (int i = 0; i < inventory.size(); i++) {
            ModelFolder.Inventory item = inventory.get(i);
            if (i < components.length && item.found()) {
                reports.add(check(model, components[i], item));
            } else if (item.found() && item.files().get(0).getFileName().toString().equals(ModelFolder.CONFIG)) {
                reports.add(checkConfig(item));
            } else if (item.found() && item.files().get(0).endsWith(ModelFolder.TOKENIZER)) {
                reports.add(checkTokenizer(model, item));
            } else {
                reports.add(new ComponentReport(item, "", Optional.empty(), 0, List.of(), List.of(), List.of()));
            }
        }
        return new ModelInspection(folder, List.copyOf(reports));
    }

    List<ComponentReport> components() {
        return reports;
    }

    /** Every file present and readable, and every network's keys complete. */
    boolean complete() {
        return reports.stream().allMatch(ComponentReport::ok);
    }

    private static ComponentReport check(ModelFolder model, Component component, ModelFolder.Inventory item) {
        try (ParameterSource source = model.open(component)) {
            KeyMapping mapping = KeyMappings.detect(source);
            String flavour = mapping.isIdentity() ? "official" : mapping.name();
            if (source instanceof Fp8Checkpoint fp8) {
                flavour += String.format(Locale.ROOT, ", float8 %s (%d tensors dequantised when read)",
                        fp8.scaled() ? "with per-tensor scales" : "unscaled", fp8.scales().size());
            }
            Optional<Expectation> expectation = expectation(model, component);
            if (expectation.isEmpty()) {
                return new ComponentReport(item, flavour, Optional.empty(), 0, List.of(), List.of(), List.of());
            }
            Expectation e = expectation.get();
            ParameterSource official = KeyMappings.toOfficial(source);
            List<String> missing = new ArrayList<>();
            List<String> misshaped = new ArrayList<>();
            Set<String> read = new HashSet<>();
            for (ParameterSpec spec : e.specs()) {
                read.add(spec.key());
                if (!official.contains(spec.key())) {
                    if (!spec.optional()) {
                        missing.add(spec.key());
                    }
                } else if (!Arrays.equals(official.shape(spec.key()), spec.shape())) {
                    misshaped.add(spec.key() + " " + Shapes.toString(official.shape(spec.key())) + " != "
                            + Shapes.toString(spec.shape()));
                }
            }
            List<String> unexpected = official.keys().stream()
                    .filter(k -> k.startsWith(e.prefix()) && !read.contains(k)).sorted().toList();
            return new ComponentReport(item, flavour, Optional.of(e.network()), e.specs().size(), missing, misshaped,
                    unexpected);
        } catch (WeightException e) {
            ModelFolder.Inventory unreadable = new ModelFolder.Inventory(item.component(), item.files(), false,
                    e.getMessage(), -1, Map.of(), 0);
            return new ComponentReport(unreadable, "", Optional.empty(), 0, List.of(), List.of(), List.of());
        }
    }

    private static ComponentReport checkConfig(ModelFolder.Inventory item) {
        try {
            DiTConfig config = DiTConfig.read(item.files().get(0));
            return new ComponentReport(item, String.format(Locale.ROOT, "dim %d, %d heads, %d layers, ffn %d",
                    config.dim(), config.numHeads(), config.numLayers(), config.ffnDim()), Optional.empty(), 0,
                    List.of(), List.of(), List.of());
        } catch (WeightException | IllegalArgumentException e) {
            return unreadable(item, e);
        }
    }

    /** The tokenizer is "found" only when it loads as the umT5 Unigram tokenizer. */
    private static ComponentReport checkTokenizer(ModelFolder model, ModelFolder.Inventory item) {
        try {
            UnigramTokenizer tokenizer = UnigramTokenizer.load(item.files().get(0).resolve("tokenizer.json"));
            return new ComponentReport(item, String.format(Locale.ROOT, "Unigram, %,d pieces",
                    tokenizer.vocabSize()), Optional.empty(), 0, List.of(), List.of(), List.of());
        } catch (WeightException | IllegalArgumentException e) {
            return unreadable(item, e);
        }
    }

    private static ComponentReport unreadable(ModelFolder.Inventory item, RuntimeException e) {
        ModelFolder.Inventory unreadable = new ModelFolder.Inventory(item.component(), item.files(), false,
                e.getMessage(), -1, Map.of(), 0);
        return new ComponentReport(unreadable, "", Optional.empty(), 0, List.of(), List.of(), List.of());
    }

    /** The network a component's keys must bind to, its key prefix in the file, and what it reads. */
    private record Expectation(String network, String prefix, List<ParameterSpec> specs) {
    }

    private static Optional<Expectation> expectation(ModelFolder model, Component component) {
        switch (component) {
            case DIT -> {
                DiTConfig config = DiTConfig.WAN_ANIMATE_14B;
                String origin = "the 14B defaults (no config.json)";
                try {
                    config = DiTConfig.read(model.ditConfig());
                    origin = "config.json";
                } catch (WeightException | IllegalArgumentException e) {
                    // no or unreadable config.json: the released 14B shapes are what the file should have
                }
                return Optional.of(new Expectation(String.format(Locale.ROOT,
                        "WanAnimateDiT (dim %d, %d layers, from %s)", config.dim(), config.numLayers(), origin), "",
                        new WanAnimateDiT(config).parameters()));
            }
            case VAE -> {
                return Optional.of(new Expectation("Wan 2.1 VAE (dim 96)", "", VaeWeights.parameters(VaeConfig.official())));
            }
            case T5 -> {
                return Optional.of(new Expectation("umT5-xxl encoder", "",
                        new UMT5Encoder(UMT5Config.umt5Xxl()).parameters()));
            }
            case CLIP -> {
                ClipVisionEncoder clip = new ClipVisionEncoder(ClipVisionConfig.vitHuge14());
                return Optional.of(new Expectation("CLIP ViT-H/14 visual tower", clip.keyPrefix(), clip.parameters()));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    void print(PrintWriter out, boolean verbose) {
        out.println("Model folder " + root.toAbsolutePath());
        for (ComponentReport r : reports) {
            ModelFolder.Inventory inv = r.inventory();
            if (!inv.found()) {
                out.printf(Locale.ROOT, "%-20s %-10s %s%n", inv.component(), inv.files().isEmpty() ? "MISSING"
                        : "UNREADABLE", inv.problem());
                continue;
            }
            String status = r.binds() ? "found" : "MISMATCH";
            out.printf(Locale.ROOT, "%-20s %-10s %s%n", inv.component(), status, files(inv.files()));
            if (inv.tensorCount() < 0 && !r.flavour().isEmpty()) {
                out.printf(Locale.ROOT, "%-31s %s%n", "", r.flavour());
            }
            if (inv.tensorCount() >= 0) {
                out.printf(Locale.ROOT, "%-31s %,d tensors, %s, %s%n", "", inv.tensorCount(), dtypes(inv.dtypes()),
                        bytes(inv.totalBytes()));
                out.printf(Locale.ROOT, "%-31s key names: %s%n", "", r.flavour());
            }
            r.checkedAgainst().ifPresent(network -> {
                if (r.binds()) {
                    out.printf(Locale.ROOT, "%-31s binds %s: all %,d keys it reads are present%n", "", network,
                            r.expected());
                } else {
                    out.printf(Locale.ROOT, "%-31s against %s: %d missing, %d wrong shape, %d unexpected%n", "",
                            network, r.missing().size(), r.misshaped().size(), r.unexpected().size());
                    int limit = verbose ? Integer.MAX_VALUE : 3;
                    list(out, "missing", r.missing(), limit);
                    list(out, "wrong shape", r.misshaped(), limit);
                    list(out, "unexpected", r.unexpected(), limit);
                }
            });
        }
        long problems = reports.stream().filter(r -> !r.ok()).count();
        out.println(problems == 0 ? "Complete: every file is present and every network's keys bind."
                : "Incomplete: " + problems + " of " + reports.size() + " entries have a problem"
                        + (verbose ? "." : " (--verbose lists every key)."));
        out.flush();
    }

    private static void list(PrintWriter out, String what, List<String> keys, int limit) {
        if (keys.isEmpty()) {
            return;
        }
        String shown = keys.stream().limit(limit).collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, "%-33s %s: %s%s%n", "", what, shown,
                keys.size() > limit ? ", … (" + (keys.size() - limit) + " more)" : "");
    }

    private String files(List<Path> files) {
        if (files.size() == 1) {
            return relative(files.get(0));
        }
        return relative(files.get(0)) + " + " + (files.size() - 1) + " shard" + (files.size() == 2 ? "" : "s");
    }

    private String relative(Path file) {
        return file.startsWith(root) ? root.relativize(file).toString() : file.toString();
    }

    private static String dtypes(Map<?, Integer> dtypes) {
        return dtypes.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    static String bytes(long bytes) {
        if (bytes >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        }
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%,d bytes", bytes);
    }
}
