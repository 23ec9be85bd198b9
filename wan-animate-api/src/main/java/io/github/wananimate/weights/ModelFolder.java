package io.github.wananimate.weights;

import io.github.wananimate.io.SmallFiles;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.Shapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The official {@code Wan-AI/Wan2.2-Animate-14B} folder (NETWORKS.md §8.1), with the common single-file
 * safetensors repacks accepted where the official file is absent. Nothing is opened until a component is asked
 * for; each call opens a new source, which the caller closes. Sources carry the file's own key names (see
 * {@link KeyMappings} to bring repacks to the official names).
 */
public final class ModelFolder {

    /** The weight-bearing components, each with its official file and accepted repacks, in order of preference. */
    public enum Component {
        // the float8 repacks are Kijai's (huggingface.co/Kijai/WanVideo_comfy_fp8_scaled, folder Wan22Animate)
        /** The diffusion transformer. */
        DIT("DiT", List.of("diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.safetensors",
                "wan2.2_animate_14B_bf16.safetensors", "Wan2_2-Animate-14B_fp8_e4m3fn_scaled_KJ.safetensors",
                "Wan2_2-Animate-14B_fp8_scaled_e4m3fn_KJ_v2.safetensors",
                "Wan2_2-Animate-14B_fp8_e5m2_scaled_KJ.safetensors")),
        /** The Wan 2.1 VAE. */
        VAE("VAE", List.of("Wan2.1_VAE.pth", "wan_2.1_vae.safetensors", "Wan2_1_VAE_bf16.safetensors",
                "Wan2_1_VAE_fp32.safetensors")),
        /** The umT5 text encoder. */
        T5("umT5 text encoder", List.of("models_t5_umt5-xxl-enc-bf16.pth", "umt5-xxl-enc-bf16.safetensors",
                "umt5_xxl_fp16.safetensors")),
        /** The CLIP image encoder. */
        CLIP("CLIP image encoder", List.of("models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth",
                "open-clip-xlm-roberta-large-vit-huge-14_fp16.safetensors", "clip_vision_h.safetensors")),
        /** The Relighting LoRA of replacement mode. */
        RELIGHTING_LORA("relighting LoRA", List.of("relighting_lora.ckpt",
                "relighting_lora/adapter_model.safetensors"));

        private final String label;
        private final List<String> candidates;

        Component(String label, List<String> candidates) {
            this.label = label;
            this.candidates = candidates;
        }

        /** {@return the component in words} */
        public String label() {
            return label;
        }

        /** {@return the official file name first, then the accepted repacks} */
        public List<String> candidates() {
            return candidates;
        }
    }

    /** One line of {@link #describe()}. */
    public record Inventory(String component, List<Path> files, boolean found, String problem, int tensorCount,
            Map<DType, Integer> dtypes, long totalBytes) {

        @Override
        public String toString() {
            if (!found) {
                return String.format("%-20s %-10s %s", component, files.isEmpty() ? "MISSING" : "UNREADABLE",
                        problem);
            }
            String detail = tensorCount < 0 ? "" : String.format("  %d tensors, %s, %,d bytes", tensorCount, dtypes,
                    totalBytes);
            return String.format("%-20s %-10s %s%s", component, "found", files.size() == 1 ? files.get(0) : files,
                    detail);
        }
    }

    /** The DiT's configuration file. */
    public static final String CONFIG = "config.json";
    /** The umT5 tokenizer's folder. */
    public static final String TOKENIZER = "google/umt5-xxl";

    private final Path root;

    private ModelFolder(Path root) {
        this.root = root;
    }

    /**
     * {@return a view of {@code folder}; it must exist, its files are looked up when asked for}
     *
     * @param folder the folder
     */
    public static ModelFolder of(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new WeightException("model folder not found: " + folder);
        }
        return new ModelFolder(folder);
    }

    /** {@return the folder} */
    public Path root() {
        return root;
    }

    /**
     * {@return the file a component would be read from: the official one, else the first repack present}
     *
     * @param component the component
     */
    public Optional<Path> file(Component component) {
        for (String candidate : component.candidates()) {
            Path p = root.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Path require(Component component) {
        return file(component).orElseThrow(() -> new WeightException(missingMessage(component)));
    }

    private String missingMessage(Component component) {
        List<String> candidates = component.candidates();
        return component.label() + " not found: expected " + root.resolve(candidates.get(0))
                + (candidates.size() > 1 ? " (or one of the repacks " + String.join(", ", candidates.subList(1,
                candidates.size())) + " in " + root + ")" : "");
    }

    /**
     * Opens {@code component}'s checkpoint (headers / pickle only; tensors are mapped when used).
     *
     * @param component the component
     * @return the result
     */
    public ParameterSource open(Component component) {
        Path file = require(component);
        if (component == Component.RELIGHTING_LORA && file.getFileName().toString().endsWith(".ckpt")) {
            return PytorchCheckpoint.open(file, "state_dict");
        }
        return Checkpoints.open(file);
    }

    /** {@return the DiT's checkpoint, opened (close it)} */
    public ParameterSource dit() {
        return open(Component.DIT);
    }

    /** {@return the VAE's checkpoint, opened (close it)} */
    public ParameterSource vae() {
        return open(Component.VAE);
    }

    /** {@return the umT5 encoder's checkpoint, opened (close it)} */
    public ParameterSource t5() {
        return open(Component.T5);
    }

    /** {@return the CLIP tower's checkpoint, opened (close it)} */
    public ParameterSource clip() {
        return open(Component.CLIP);
    }

    /** {@return the Relighting LoRA's checkpoint, opened (close it)} */
    public ParameterSource relightingLora() {
        return open(Component.RELIGHTING_LORA);
    }

    /** {@return the DiT's {@code config.json}} */
    public Path ditConfig() {
        Path p = root.resolve(CONFIG);
        if (!Files.isRegularFile(p)) {
            throw new WeightException("DiT config not found: expected " + p);
        }
        return p;
    }

    /** {@return the umT5 tokenizer folder {@code google/umt5-xxl/}} */
    public Path tokenizerFolder() {
        Path p = root.resolve(TOKENIZER);
        if (!Files.isDirectory(p)) {
            throw new WeightException("umT5 tokenizer not found: expected the folder " + p);
        }
        return p;
    }

    /**
     * An inventory of the folder: for each component whether it was found, its file(s), tensor count, dtypes and
     * total tensor bytes (read from headers; no tensor data is touched), plus the DiT config and the tokenizer.
     * A component that is present but unreadable is reported with its error instead of failing the whole call.
     *
     * @return the describe
     */
    public List<Inventory> describe() {
        List<Inventory> out = new ArrayList<>();
        for (Component c : Component.values()) {
            Optional<Path> file = file(c);
            if (file.isEmpty()) {
                Optional<Path> odd = c.candidates().stream().map(root::resolve).filter(Files::exists).findFirst();
                out.add(odd.isPresent()
                        ? new Inventory(c.label(), List.of(odd.get()), false, odd.get() + ": "
                                + SmallFiles.problem(odd.get(), Long.MAX_VALUE), -1, Map.of(), 0)
                        : new Inventory(c.label(), List.of(), false, missingMessage(c), -1, Map.of(), 0));
                continue;
            }
            try (ParameterSource opened = open(c)) {
                ParameterSource source = opened instanceof Fp8Checkpoint fp8 ? fp8.base() : opened;   // as stored
                List<Path> files = source instanceof ShardedSafetensors sharded
                        ? concat(file.get(), sharded.shards()) : List.of(file.get());
                Map<DType, Integer> dtypes = new TreeMap<>();
                long bytes = 0;
                for (String key : source.keys()) {
                    DType dtype = source.dtype(key);
                    dtypes.merge(dtype, 1, Integer::sum);
                    bytes += Shapes.elementCount(source.shape(key)) * dtype.byteSize();
                }
                out.add(new Inventory(c.label(), files, true, null, source.keys().size(),
                        Collections.unmodifiableMap(dtypes), bytes));
            } catch (WeightException e) {
                out.add(new Inventory(c.label(), List.of(file.get()), false, e.getMessage(), -1, Map.of(), 0));
            }
        }
        // a FIFO, a directory or a link to a device is named as such, not reported as missing
        Path config = root.resolve(CONFIG);
        out.add(Files.isRegularFile(config)
                ? new Inventory("DiT config", List.of(config), true, null, -1, Map.of(), 0)
                : Files.exists(config) || Files.isSymbolicLink(config)
                ? new Inventory("DiT config", List.of(config), false, config + ": "
                        + SmallFiles.problem(config, Long.MAX_VALUE), -1, Map.of(), 0)
                : new Inventory("DiT config", List.of(), false, "expected " + config, -1, Map.of(), 0));
        Path tokenizer = root.resolve(TOKENIZER);
        out.add(Files.isDirectory(tokenizer)
                ? new Inventory("umT5 tokenizer", List.of(tokenizer), true, null, -1, Map.of(), 0)
                : new Inventory("umT5 tokenizer", List.of(), false, "expected the folder " + tokenizer, -1, Map.of(), 0));
        return out;
    }

    private static List<Path> concat(Path first, List<Path> rest) {
        List<Path> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
