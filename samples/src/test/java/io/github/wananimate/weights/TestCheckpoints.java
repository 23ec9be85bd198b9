package io.github.wananimate.weights;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Checkpoint files for the samples' tests: small real {@code torch.save} archives (through the api test-jar's
 * package-private {@link TorchSaveWriter}, hence this package) and sparse safetensors whose data regions exist only
 * as file length, so full-size layouts (the 34.5 GB DiT) cost a few kilobytes of disk.
 */
public final class TestCheckpoints {

    private TestCheckpoints() {
    }

    /** A {@code .pth} holding an OrderedDict of zero-filled float32 tensors with these keys and shapes. */
    public static Path writePth(Path file, Map<String, long[]> tensors) throws IOException {
        TorchSaveWriter.Pickle p = new TorchSaveWriter.Pickle().proto(2).orderedDict().mark();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long[] shape = e.getValue();
            long[] stride = new long[shape.length];
            long acc = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = acc;
                acc *= shape[d];
            }
            p.string(e.getKey()).tensorV2("FloatStorage", Integer.toString(i), acc, 0, shape, stride);
            storages.put(Integer.toString(i), new byte[Math.toIntExact(acc * 4)]);
            i++;
        }
        p.op('u').op('.');
        return TorchSaveWriter.archive("archive", p.bytes(), storages).write(file);
    }

    /** One sparse, header-only safetensors file of {@code dtype} (BF16, F32) tensors. */
    public static Path writeSparseSafetensors(Path file, Map<String, long[]> tensors, String dtype) {
        SafetensorsWriter.writeHeaderOnly(file, tensors, DType.fromSafetensors(dtype));
        return file;
    }

    /** The official sharded DiT layout: {@code shards} sparse BF16 shards plus the index JSON. Returns the index. */
    public static Path writeSparseShardedDit(Path dir, List<ParameterSpec> specs, int shards) throws IOException {
        return SparseCheckpoints.writeShardedDit(dir, specs, shards, UnaryOperator.identity());
    }

    /** Keys and shapes of specs, in order. */
    public static Map<String, long[]> shapes(List<ParameterSpec> specs, String prefix) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            out.put(prefix + s.key(), s.shape());
        }
        return out;
    }
}
