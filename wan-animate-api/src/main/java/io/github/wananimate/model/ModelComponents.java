package io.github.wananimate.model;

import io.github.wananimate.errors.ModelFileException;
import io.github.wananimate.io.Closeables;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.text.TextEncoder;
import io.github.wananimate.text.TextEncoderCache;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.ParameterSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The parts of a Wan-Animate model, each either given in memory or resolved from the model folder: the DiT (with its
 * {@code config.json}, else the 14B configuration), the VAE and CLIP tower (configurations read from their
 * checkpoints), the Relighting LoRA when there is one, and the text encoder (given, or the folder's umT5 bound on
 * demand behind the embedding cache). Closes what it opened from the folder, never what was given.
 */
public final class ModelComponents implements AutoCloseable {

    /** The default folder of the on-disk text-embedding cache. */
    public static final Path DEFAULT_TEXT_CACHE = Path.of(System.getProperty("user.home"), ".cache", "wan-animate",
            "text-embeddings");

    /**
     * What the caller gave; a null field is resolved from {@code folder}.
     *
     * @param relightingLoraAlpha the alpha for LoRA modules without one (null: the file's, else the rank)
     * @param textCache the embedding cache folder (null: {@link #DEFAULT_TEXT_CACHE})
     * @throws IllegalStateException when neither a folder nor the DiT, VAE and CLIP weights are given
     */
    public record Given(Path folder, DiTConfig ditConfig, ParameterSource dit, VaeConfig vaeConfig,
            ParameterSource vae, ClipVisionConfig clipConfig, ParameterSource clip, ParameterSource relightingLora,
            Double relightingLoraAlpha, TextEncoder textEncoder, Path textCache) {

        public Given {
            if (folder == null && (dit == null || vae == null || clip == null)) {
                throw new IllegalStateException("no model: give a model folder, or the DiT, VAE and CLIP weights"
                        + " (missing: " + (dit == null ? "DiT " : "") + (vae == null ? "VAE " : "")
                        + (clip == null ? "CLIP" : "").trim() + ")");
            }
        }
    }

    private final Path folder;
    private final DiTConfig ditConfig;
    private final ParameterSource ditWeights;
    private final VaeConfig vaeConfig;
    private final ParameterSource vaeWeights;
    private final ClipVisionConfig clipConfig;
    private final ParameterSource clipWeights;
    private final RelightingLora relightingLora;
    private final TextEncoder textEncoder;
    private final OnDemandUmt5 onDemandUmt5;
    /** What this instance opened, most recent first. */
    private final Deque<AutoCloseable> owned;

    private ModelComponents(Path folder, DiTConfig ditConfig, ParameterSource ditWeights, VaeConfig vaeConfig,
            ParameterSource vaeWeights, ClipVisionConfig clipConfig, ParameterSource clipWeights,
            RelightingLora relightingLora, TextEncoder textEncoder, OnDemandUmt5 onDemandUmt5,
            Deque<AutoCloseable> owned) {
        this.folder = folder;
        this.ditConfig = ditConfig;
        this.ditWeights = ditWeights;
        this.vaeConfig = vaeConfig;
        this.vaeWeights = vaeWeights;
        this.clipConfig = clipConfig;
        this.clipWeights = clipWeights;
        this.relightingLora = relightingLora;
        this.textEncoder = textEncoder;
        this.onDemandUmt5 = onDemandUmt5;
        this.owned = owned;
    }

    /**
     * Opens what {@code given} leaves to the folder.
     *
     * @param backend where the folder's umT5 binds when a prompt is not in the cache
     * @throws io.github.wananimate.weights.WeightException for a missing or unreadable checkpoint
     * @throws ModelFileException when there is no text encoder
     */
    public static ModelComponents resolve(Given given, Backend backend) {
        Deque<AutoCloseable> owned = new ArrayDeque<>();
        try {
            ModelFolder folder = given.folder() == null ? null : ModelFolder.of(given.folder());
            ParameterSource dit = given.dit();
            DiTConfig ditConfig = given.ditConfig();
            if (dit == null) {
                dit = own(owned, official(folder.dit()));
                if (ditConfig == null && Files.isRegularFile(folder.root().resolve(ModelFolder.CONFIG))) {
                    ditConfig = DiTConfig.read(folder.ditConfig());
                }
            }
            if (ditConfig == null) {
                ditConfig = DiTConfig.WAN_ANIMATE_14B;
            }
            ParameterSource vae = given.vae();
            VaeConfig vaeConfig = given.vaeConfig();
            if (vae == null) {
                vae = own(owned, official(folder.vae()));
                vaeConfig = VaeConfig.fromCheckpoint(vae);
            }
            ParameterSource clip = given.clip();
            ClipVisionConfig clipConfig = given.clipConfig();
            if (clip == null) {
                clip = own(owned, official(folder.clip()));
                clipConfig = ClipVisionConfig.fromCheckpoint(clip);
            }
            RelightingLora lora = null;
            if (given.relightingLora() != null) {
                lora = own(owned, RelightingLora.of(given.relightingLora(), given.relightingLoraAlpha()));
            } else if (folder != null && folder.file(ModelFolder.Component.RELIGHTING_LORA).isPresent()) {
                lora = own(owned, RelightingLora.ofFile(folder.file(ModelFolder.Component.RELIGHTING_LORA).get(),
                        given.relightingLoraAlpha()));
            }
            TextEncoder text = given.textEncoder();
            OnDemandUmt5 umt5 = null;
            if (text == null && folder != null && folder.file(ModelFolder.Component.T5).isPresent()
                    && Files.isDirectory(folder.root().resolve(ModelFolder.TOKENIZER))) {
                umt5 = own(owned, new OnDemandUmt5(backend, folder, ditConfig.textLen()));
                text = new TextEncoderCache(given.textCache() != null ? given.textCache() : DEFAULT_TEXT_CACHE,
                        TextEncoderCache.fileIdentity(folder.file(ModelFolder.Component.T5).get()), umt5);
            }
            if (text == null) {
                throw new ModelFileException("no text encoder: " + (folder == null ? "no model folder was given"
                        : "the model folder " + folder.root() + " has no umT5 checkpoint ("
                        + ModelFolder.Component.T5.candidates().get(0) + ") or no " + ModelFolder.TOKENIZER
                        + " tokenizer folder") + ", and none was set with WanAnimate.Builder.textEncoder");
            }
            return new ModelComponents(given.folder(), ditConfig, dit, vaeConfig, vae, clipConfig, clip, lora, text,
                    umt5, owned);
        } catch (RuntimeException e) {
            throw Closeables.closeAll(owned, e);
        }
    }

    public DiTConfig ditConfig() {
        return ditConfig;
    }

    /** The DiT checkpoint under official key names. */
    public ParameterSource ditWeights() {
        return ditWeights;
    }

    public VaeConfig vaeConfig() {
        return vaeConfig;
    }

    public ParameterSource vaeWeights() {
        return vaeWeights;
    }

    public ClipVisionConfig clipConfig() {
        return clipConfig;
    }

    public ParameterSource clipWeights() {
        return clipWeights;
    }

    /**
     * The Relighting LoRA.
     *
     * @throws IllegalStateException naming where it was looked for, when the model has none
     */
    public RelightingLora relightingLora() {
        if (relightingLora == null) {
            String expected = ModelFolder.Component.RELIGHTING_LORA.candidates().get(0);
            throw new IllegalStateException("the request asks for the Relighting LoRA, but the model has none "
                    + "(expected " + (folder != null ? folder.resolve(expected) : expected + " in the model folder")
                    + ", or WanAnimate.Builder.relightingLora)");
        }
        return relightingLora;
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    /** The folder's umT5 when it is the text encoder (bound on demand). */
    public Optional<OnDemandUmt5> onDemandUmt5() {
        return Optional.ofNullable(onDemandUmt5);
    }

    @Override
    public void close() {
        RuntimeException failure = Closeables.closeAll(owned, null);
        if (failure != null) {
            throw failure;
        }
    }

    /** {@code raw} under official key names (a view that closes {@code raw}). */
    private static ParameterSource official(ParameterSource raw) {
        try {
            return KeyMappings.toOfficial(raw);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static <T extends AutoCloseable> T own(Deque<AutoCloseable> owned, T resource) {
        owned.push(resource);
        return resource;
    }
}
