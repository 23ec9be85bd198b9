package io.github.wananimate.text;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import io.github.wananimate.weights.WeightException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A disk cache in front of a {@link TextEncoder}, so the 5.7B-parameter umT5 runs once per prompt and model. Each
 * entry is a small safetensors file {@code <sha256(model identity, prompt)>.safetensors} holding the float32
 * {@code [v, dim]} embedding under {@code context}, with the prompt and model identity in its metadata (checked on
 * read, so a hash collision or a foreign file is a miss, never a wrong embedding). Entries are written to a temporary
 * file and moved into place, so concurrent writers and interrupted runs leave no partial entry.
 */
public final class TextEncoderCache implements TextEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(TextEncoderCache.class);
    private static final String TENSOR = "context";
    private static final String META_PROMPT = "prompt";
    private static final String META_MODEL = "model";

    private final Path directory;
    private final String modelIdentity;
    private final TextEncoder encoder;

    /**
     * @param directory the directory
     * @param encoder the encoder
     * @param modelIdentity anything that changes when the encoder's weights change, e.g. {@link #fileIdentity}
     */
    public TextEncoderCache(Path directory, String modelIdentity, TextEncoder encoder) {
        this.directory = directory;
        this.modelIdentity = modelIdentity;
        this.encoder = encoder;
    }

    /**
     * {@return absolute path, size and modification time of a checkpoint file: cheap and changes whenever it is replaced}
     *
     * @param checkpoint the checkpoint
     */
    public static String fileIdentity(Path checkpoint) {
        try {
            Path abs = checkpoint.toAbsolutePath().normalize();
            return abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat text-encoder checkpoint " + checkpoint, e);
        }
    }

    @Override
    public HostTensor encode(String prompt) {
        Path entry = entryPath(prompt);
        HostTensor cached = read(entry, prompt);
        if (cached != null) {
            LOG.debug("text embedding cache hit {}", entry);
            return cached;
        }
        HostTensor embedding = encoder.encode(prompt).toF32();
        write(entry, prompt, embedding);
        return embedding;
    }

    /**
     * {@return the file an entry for {@code prompt} lives in (whether or not it exists)}
     *
     * @param prompt the prompt
     */
    public Path entryPath(String prompt) {
        return directory.resolve(hash(modelIdentity + "\u0000" + prompt) + ".safetensors");
    }

    private HostTensor read(Path entry, String prompt) {
        if (!Files.isRegularFile(entry)) {
            return null;
        }
        try (SafetensorsFile file = SafetensorsFile.open(entry)) {
            Map<String, String> meta = file.metadata();
            if (!prompt.equals(meta.get(META_PROMPT)) || !modelIdentity.equals(meta.get(META_MODEL))
                    || !file.contains(TENSOR) || file.dtype(TENSOR) != DType.F32) {
                LOG.warn("text embedding cache entry {} does not belong to this prompt and model; recomputing", entry);
                return null;
            }
            return HostTensor.ofFloats(file.shape(TENSOR), file.get(TENSOR).toFloatArray());
        } catch (WeightException e) {
            LOG.warn("unreadable text embedding cache entry {} ({}); recomputing", entry, e.getMessage());
            return null;
        }
    }

    private void write(Path entry, String prompt, HostTensor embedding) {
        try {
            Files.createDirectories(directory);
            // Atomic: a concurrent reader sees the whole entry or none.
            SafetensorsWriter.write(entry, Map.of(TENSOR, embedding),
                    Map.of(META_PROMPT, prompt, META_MODEL, modelIdentity));
        } catch (IOException | RuntimeException e) {
            // A cache that cannot be written must not fail the generation.
            LOG.warn("cannot write text embedding cache entry {}: {}", entry, e.toString());
        }
    }

    private static String hash(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
