package io.github.wananimate.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint split into several {@code .safetensors} shards with a {@code *.safetensors.index.json} whose
 * {@code weight_map} maps each key to its shard file (relative to the index). Opening checks that every shard
 * exists; a shard's header is read when one of its keys is first used, and then every key the index assigns
 * to it must be in it. {@link #validate()} does all of that up front.
 */
public final class ShardedSafetensors implements ParameterSource {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedSafetensors.class);

    private final Path index;
    private final Map<String, Path> shardOfKey;
    private final Map<Path, SafetensorsFile> openShards = new LinkedHashMap<>();
    private boolean closed;

    private ShardedSafetensors(Path index, Map<String, Path> shardOfKey) {
        this.index = index;
        this.shardOfKey = shardOfKey;
    }

    /**
     * Opens the index and checks that every shard it names exists (shards themselves are opened lazily).
     *
     * @param indexJson the shard index file
     * @return the result
     */
    public static ShardedSafetensors open(Path indexJson) {
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(indexJson)).getAsJsonObject();
        } catch (IOException e) {
            throw new WeightException("cannot read safetensors index " + indexJson + ": " + e, e);
        } catch (RuntimeException e) {
            throw new WeightException(indexJson + ": safetensors index is not a JSON object: " + e.getMessage(), e);
        }
        JsonElement weightMap = json.get("weight_map");
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw new WeightException(indexJson + ": safetensors index has no 'weight_map' object");
        }
        Path folder = indexJson.toAbsolutePath().getParent();
        Map<String, Path> shardOfKey = new LinkedHashMap<>();
        Map<Path, String> firstKeyOfShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : weightMap.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new WeightException(indexJson + ": weight_map entry for '" + e.getKey() + "' is not a file name");
            }
            String name = v.getAsString();
            Path relative = Path.of(name);
            if (relative.isAbsolute() || relative.normalize().startsWith("..") || name.isEmpty()) {
                throw new WeightException(indexJson + ": weight_map entry for '" + e.getKey() + "' names '" + name
                        + "', which is not a file beside the index");
            }
            Path shard = folder.resolve(relative).normalize();
            shardOfKey.put(e.getKey(), shard);
            firstKeyOfShard.putIfAbsent(shard, e.getKey());
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<Path, String> e : firstKeyOfShard.entrySet()) {
            if (!Files.isRegularFile(e.getKey())) {
                long count = shardOfKey.values().stream().filter(e.getKey()::equals).count();
                missing.add(e.getKey() + " (holds " + count + " keys, e.g. '" + e.getValue() + "')");
            }
        }
        if (!missing.isEmpty()) {
            throw new WeightException(indexJson + ": " + missing.size() + " shard file(s) missing:\n  - "
                    + String.join("\n  - ", missing));
        }
        return new ShardedSafetensors(indexJson, Collections.unmodifiableMap(shardOfKey));
    }

    /** {@return the index file} */
    public Path index() {
        return index;
    }

    /** {@return the shard files, in the order the index first names them} */
    public List<Path> shards() {
        return List.copyOf(new LinkedHashSet<>(shardOfKey.values()));
    }

    /** Opens every shard now and checks that each holds every key the index assigns to it. */
    public void validate() {
        for (Path shard : shards()) {
            shard(shard);
        }
    }

    @Override
    public Set<String> keys() {
        return shardOfKey.keySet();
    }

    @Override
    public long[] shape(String key) {
        return shardFor(key).shape(key);
    }

    @Override
    public DType dtype(String key) {
        return shardFor(key).dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        return shardFor(key).get(key);
    }

    private SafetensorsFile shardFor(String key) {
        Path shard = shardOfKey.get(key);
        if (shard == null) {
            throw new WeightException(index + ": no tensor '" + key + "' in the weight_map");
        }
        return shard(shard);
    }

    private synchronized SafetensorsFile shard(Path shard) {
        if (closed) {
            throw new WeightException(index + ": already closed");
        }
        SafetensorsFile file = openShards.get(shard);
        if (file != null) {
            return file;
        }
        file = SafetensorsFile.open(shard);
        Set<String> absent = new TreeSet<>();
        Set<String> assigned = new LinkedHashSet<>();
        for (Map.Entry<String, Path> e : shardOfKey.entrySet()) {
            if (e.getValue().equals(shard)) {
                assigned.add(e.getKey());
                if (!file.contains(e.getKey())) {
                    absent.add(e.getKey());
                }
            }
        }
        if (!absent.isEmpty()) {
            file.close();
            throw new WeightException(index + ": " + absent.size() + " key(s) mapped to shard " + shard
                    + " are not in it: '" + String.join("', '", absent) + "'");
        }
        if (file.keys().size() > assigned.size()) {
            Set<String> extra = new TreeSet<>(file.keys());
            extra.removeAll(assigned);
            LOG.warn("{}: shard {} holds {} key(s) the index does not list (ignored), e.g. '{}'", index, shard,
                    extra.size(), extra.iterator().next());
        }
        openShards.put(shard, file);
        return file;
    }

    @Override
    public String description() {
        return index.toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        WeightException failure = null;
        for (SafetensorsFile f : openShards.values()) {
            try {
                f.close();
            } catch (WeightException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        openShards.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
