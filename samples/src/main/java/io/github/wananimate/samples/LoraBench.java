package io.github.wananimate.samples;

import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import io.github.wananimate.weights.lora.LoraAdapter;
import io.github.wananimate.weights.lora.LoraMergedSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --network lora}, host-side (no backend): reading one LoRA-merged Linear weight through
 * {@link LoraMergedSource#get}, i.e. {@code W + (alpha/r)·B·A} in float32 for an {@code --lora-shape} weight, with
 * W, A and B stored as {@code --lora-dtype} in memory-mapped safetensors files written to a temporary folder
 * (deleted afterwards), as a checkpoint would be.
 */
final class LoraBench {

    private static final String MODULE = "blocks.0.self_attn.q";

    private final BenchReport report;
    private final String shape;
    private final String dtypeName;

    /** {@code shape} is the option's OUTxINxRANK text and {@code dtypeName} bf16, f16 or f32; both checked by run. */
    LoraBench(BenchReport report, String shape, String dtypeName) {
        this.report = report;
        this.shape = shape;
        this.dtypeName = dtypeName;
    }

    void run() {
        boolean reset = PeakMemory.reset();
        int[] dims = dims();
        DType dtype = switch (dtypeName.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--lora-dtype must be bf16, f16 or f32, got " + dtypeName);
        };
        double[] ms = timeMerge(dims, dtype);
        report.rowWithPeak(String.format(Locale.ROOT, "lora merge %dx%d r%d %s", dims[0], dims[1], dims[2], dtypeName),
                "host/cpu", ms, reset);
    }

    private int[] dims() {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 3) {
                int[] dims = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (dims[0] > 0 && dims[1] > 0 && dims[2] > 0) {
                    return dims;
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--lora-shape must be OUTxINxRANK with positive numbers, got " + shape);
    }

    /** Milliseconds of each timed {@link LoraMergedSource#get} of the merged {@code out×in} weight. */
    private double[] timeMerge(int[] dims, DType dtype) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("wan-animate-bench-lora");
            Path base = dir.resolve("base.safetensors");
            Path lora = dir.resolve("lora.safetensors");
            SafetensorsWriter.write(base, Map.of(MODULE + ".weight", stored(dtype, "bench.w", dims[0], dims[1])),
                    Map.of());
            Map<String, HostTensor> pair = new LinkedHashMap<>();
            pair.put(MODULE + ".lora_A.weight", stored(dtype, "bench.lora_a", dims[2], dims[1]));
            pair.put(MODULE + ".lora_B.weight", stored(dtype, "bench.lora_b", dims[0], dims[2]));
            SafetensorsWriter.write(lora, pair, Map.of());
            try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(lora)) {
                LoraMergedSource merged = new LoraMergedSource(checkpoint, adapter, 1.0);
                return report.time(() -> {
                    HostTensor w = merged.get(MODULE + ".weight");
                    if (w.elementCount() != (long) dims[0] * dims[1]) {
                        throw new IllegalStateException("merged weight has shape " + Shapes.toString(w.shape()));
                    }
                });
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the LoRA benchmark files: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** {@code 0.02·u(name, i, 0)} over {@code rows×cols}, stored as {@code dtype}. */
    private static HostTensor stored(DType dtype, String name, long rows, long cols) {
        HostTensor values = Procedural.tensor(name, 0, rows, cols);
        float[] v = values.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= 0.02f;
        }
        return HostTensor.of(dtype, values.shape(), DTypeConversions.fromFloatArray(dtype, v));
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
