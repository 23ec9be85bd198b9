package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {

    @TempDir
    Path dir;

    static Path formatSamples() throws Exception {
        return Path.of(ShardedSafetensorsTest.class.getResource("/golden/format_samples").toURI());
    }

    /** fixture.json's list {@code name} of [key, shape] pairs, in order. */
    static Map<String, long[]> fixtureShapes(String name) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(formatSamples().resolve("fixture.json")))
                .getAsJsonObject();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (JsonElement w : json.getAsJsonArray(name)) {
            JsonArray pair = w.getAsJsonArray();
            JsonArray dims = pair.get(1).getAsJsonArray();
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            shapes.put(pair.get(0).getAsString(), shape);
        }
        return shapes;
    }

    @Test
    void officialShardedSampleMatchesProceduralValuesRoundedToBf16() throws Exception {
        Map<String, long[]> expected = fixtureShapes("dit_weights");
        assertThat(expected).hasSize(185);
        Path index = formatSamples().resolve("dit/diffusion_pytorch_model.safetensors.index.json");
        try (ShardedSafetensors dit = ShardedSafetensors.open(index)) {
            assertThat(dit.shards()).hasSize(2);
            dit.validate();
            assertThat(dit.keys()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String key = e.getKey();
                assertThat(dit.shape(key)).as(key).isEqualTo(e.getValue());
                assertThat(dit.dtype(key)).as(key).isEqualTo(DType.BF16);
                HostTensor t = dit.get(key);
                float[] procedural = ProceduralWeights.values(key, e.getValue(), 0);
                ByteBuffer stored = t.data();
                for (int i = 0; i < procedural.length; i++) {
                    short bits = stored.getShort();
                    assertThat(bits).as("%s[%d]", key, i).isEqualTo(DTypeConversions.floatToBf16(procedural[i]));
                }
            }
        }
    }

    private Path shard(String name, Map<String, HostTensor> tensors) {
        Path p = dir.resolve(name);
        SafetensorsWriter.write(p, tensors, Map.of());
        return p;
    }

    private Path index(String weightMapJson) throws Exception {
        Path p = dir.resolve("model.safetensors.index.json");
        Files.writeString(p, "{\"metadata\":{},\"weight_map\":" + weightMapJson + "}");
        return p;
    }

    @Test
    void readsHandWrittenShardsLazily() throws Exception {
        shard("s1.safetensors", Map.of("a", HostTensor.ofFloats(new long[] {2}, new float[] {1, 2})));
        shard("s2.safetensors", Map.of("b", HostTensor.ofFloats(new long[] {1}, new float[] {3})));
        Path index = index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        try (ShardedSafetensors s = ShardedSafetensors.open(index)) {
            assertThat(s.keys()).containsExactly("a", "b");
            assertThat(s.get("b").toFloatArray()).containsExactly(3f);
            assertThat(s.get("a").toFloatArray()).containsExactly(1f, 2f);
            assertThatThrownBy(() -> s.get("c")).isInstanceOf(WeightException.class)
                    .hasMessageContaining(index.toString()).hasMessageContaining("'c'");
        }
    }

    @Test
    void missingShardIsReportedAtOpen() throws Exception {
        shard("s1.safetensors", Map.of("a", HostTensor.ofFloats(new long[] {1}, new float[] {1})));
        Path index = index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        assertThatThrownBy(() -> ShardedSafetensors.open(index)).isInstanceOf(WeightException.class)
                .hasMessageContaining(index.toString()).hasMessageContaining("s2.safetensors")
                .hasMessageContaining("'b'");
    }

    @Test
    void keyAbsentFromItsShardIsReported() throws Exception {
        shard("s1.safetensors", Map.of("a", HostTensor.ofFloats(new long[] {1}, new float[] {1})));
        Path index = index("{\"a\":\"s1.safetensors\",\"ghost\":\"s1.safetensors\"}");
        try (ShardedSafetensors s = ShardedSafetensors.open(index)) {
            assertThatThrownBy(() -> s.get("a")).isInstanceOf(WeightException.class)
                    .hasMessageContaining(index.toString()).hasMessageContaining("s1.safetensors")
                    .hasMessageContaining("'ghost'");
            assertThatThrownBy(s::validate).isInstanceOf(WeightException.class).hasMessageContaining("'ghost'");
        }
    }

    @Test
    void badIndexFiles() throws Exception {
        Path noMap = dir.resolve("a.index.json");
        Files.writeString(noMap, "{\"metadata\":{}}");
        assertThatThrownBy(() -> ShardedSafetensors.open(noMap)).isInstanceOf(WeightException.class)
                .hasMessageContaining(noMap.toString()).hasMessageContaining("weight_map");
        Path notJson = dir.resolve("b.index.json");
        Files.writeString(notJson, "[]");
        assertThatThrownBy(() -> ShardedSafetensors.open(notJson)).isInstanceOf(WeightException.class)
                .hasMessageContaining(notJson.toString());
        Path escape = index("{\"a\":\"../../etc/passwd\"}");
        assertThatThrownBy(() -> ShardedSafetensors.open(escape)).isInstanceOf(WeightException.class)
                .hasMessageContaining("'a'").hasMessageContaining("not a file beside the index");
        Path absent = dir.resolve("absent.index.json");
        assertThatThrownBy(() -> ShardedSafetensors.open(absent)).isInstanceOf(WeightException.class)
                .hasMessageContaining(absent.toString());
    }
}
