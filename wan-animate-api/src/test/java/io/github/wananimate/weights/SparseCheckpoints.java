package io.github.wananimate.weights;

import com.google.gson.JsonObject;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Test checkpoints in the official layouts without real disk use: headers only, data regions left sparse. */
public final class SparseCheckpoints {

    private SparseCheckpoints() {
    }

    /**
     * The official sharded DiT layout: {@code shardCount} header-only BF16 shards of roughly equal size
     * ({@code diffusion_pytorch_model-0000k-of-0000n.safetensors}) plus the index JSON. Keys pass through
     * {@code rename} first. Returns the index path.
     */
    public static Path writeShardedDit(Path dir, List<ParameterSpec> specs, int shardCount,
            UnaryOperator<String> rename) throws IOException {
        long total = specs.stream().mapToLong(s -> Shapes.elementCount(s.shape()) * 2).sum();
        List<Map<String, long[]>> shards = new ArrayList<>();
        Map<String, long[]> current = new LinkedHashMap<>();
        long filled = 0;
        for (ParameterSpec spec : specs) {
            current.put(rename.apply(spec.key()), spec.shape());
            filled += Shapes.elementCount(spec.shape()) * 2;
            if (filled >= total / shardCount * (shards.size() + 1) && shards.size() < shardCount - 1) {
                shards.add(current);
                current = new LinkedHashMap<>();
            }
        }
        shards.add(current);
        JsonObject weightMap = new JsonObject();
        for (int s = 0; s < shards.size(); s++) {
            String name = String.format(Locale.ROOT, "diffusion_pytorch_model-%05d-of-%05d.safetensors", s + 1,
                    shards.size());
            SafetensorsWriter.writeHeaderOnly(dir.resolve(name), shards.get(s), DType.BF16);
            for (String key : shards.get(s).keySet()) {
                weightMap.addProperty(key, name);
            }
        }
        JsonObject indexJson = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("total_size", total);
        indexJson.add("metadata", metadata);
        indexJson.add("weight_map", weightMap);
        Path index = dir.resolve("diffusion_pytorch_model.safetensors.index.json");
        Files.writeString(index, indexJson.toString());
        return index;
    }
}
