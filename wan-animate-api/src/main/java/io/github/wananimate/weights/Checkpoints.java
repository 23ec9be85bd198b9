package io.github.wananimate.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Opens a checkpoint file by its kind: safetensors, a sharded safetensors index, or a torch.save archive. */
public final class Checkpoints {

    private Checkpoints() {
    }

    /**
     * {@code *.safetensors} → {@link SafetensorsFile}; {@code *.index.json} → {@link ShardedSafetensors};
     * {@code *.pth}, {@code *.pt}, {@code *.ckpt}, {@code *.bin} → {@link PytorchCheckpoint} (default root). A
     * checkpoint with float8 tensors or float8 scales comes as an {@link Fp8Checkpoint} view (dequantised to float32
     * when a tensor is read; the float8 bytes stay in the mapped file).
     *
     * @param file the file
     * @throws WeightException for a missing, unknown or malformed file, or a malformed float8 checkpoint
     * @return the result
     */
    public static ParameterSource open(Path file) {
        ParameterSource raw = openAsStored(file);
        try {
            return Fp8Checkpoint.wrapIfFloat8(raw);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * {@return {@link #open} without the float8 view: every key and dtype as the file stores it}
     *
     * @param file the file
     */
    public static ParameterSource openAsStored(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightException("checkpoint file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return SafetensorsFile.open(file);
        }
        if (name.endsWith(".index.json")) {
            return ShardedSafetensors.open(file);
        }
        if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".ckpt") || name.endsWith(".bin")) {
            return PytorchCheckpoint.open(file);
        }
        throw new WeightException(file + ": unknown checkpoint kind (expected .safetensors, .safetensors.index.json,"
                + " .pth, .pt, .ckpt or .bin)");
    }
}
