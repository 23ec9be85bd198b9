package io.github.wananimate.procedural;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.WeightException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProceduralWeightsTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(ProceduralWeightsTest.class.getResource("/golden/" + name).toURI());
    }

    private static JsonObject fixtureJson() throws Exception {
        return JsonParser.parseString(Files.readString(fixture("procedural_check").resolve("fixture.json")))
                .getAsJsonObject();
    }

    @Test
    void uniformRowsMatchTheReferenceGenerator() throws Exception {
        JsonArray rows = fixtureJson().getAsJsonArray("uniform_rows");
        assertThat(rows).isNotEmpty();
        for (JsonElement element : rows) {
            JsonObject row = element.getAsJsonObject();
            String name = row.get("name").getAsString();
            long seed = Long.parseUnsignedLong(row.get("seed").getAsString());
            assertThat(Long.toUnsignedString(Procedural.fnv1a64(name)))
                    .as("fnv1a64(%s)", name).isEqualTo(row.get("fnv1a64").getAsString());
            JsonArray first5 = row.getAsJsonArray("u_first5");
            for (int i = 0; i < first5.size(); i++) {
                assertThat(Procedural.uniform(name, i, seed)).as("u(%s, %d, %s)", name, i, seed)
                        .isEqualTo(first5.get(i).getAsDouble());
            }
        }
    }

    @Test
    void everyRuleIsBitExactAgainstTheReferenceOutputs() throws Exception {
        JsonObject json = fixtureJson();
        long seed = json.get("seed").getAsLong();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (JsonElement w : json.getAsJsonArray("weights")) {
            JsonArray pair = w.getAsJsonArray();
            JsonArray dims = pair.get(1).getAsJsonArray();
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            shapes.put(pair.get(0).getAsString(), shape);
        }
        assertThat(shapes).hasSize(7);
        try (ProceduralWeights procedural = new ProceduralWeights(seed, shapes);
                SafetensorsFile expected = SafetensorsFile.open(fixture("procedural_check").resolve("outputs.safetensors"))) {
            assertThat(procedural.keys()).containsExactlyElementsOf(shapes.keySet());
            for (String key : shapes.keySet()) {
                HostTensor actual = procedural.get(key);
                HostTensor reference = expected.get(key);
                assertThat(actual.dtype()).isEqualTo(DType.F32);
                assertThat(actual.shape()).isEqualTo(reference.shape());
                float[] a = actual.toFloatArray();
                float[] r = reference.toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertThat(Float.floatToRawIntBits(a[i])).as("%s[%d]", key, i)
                            .isEqualTo(Float.floatToRawIntBits(r[i]));
                }
            }
        }
    }

    @Test
    void ruleSelectionFollowsTheSpec() {
        long[] vec = {4};
        double u0 = Procedural.uniform("x.norm_q.weight", 0, 3);
        assertThat(ProceduralWeights.values("x.norm_q.weight", vec, 3)[0]).isEqualTo((float) (1 + 0.1 * u0));
        // 2-D weight with "norm" in its key is not a norm gain: fan-in rule.
        double u1 = Procedural.uniform("x.norm.weight", 0, 3);
        assertThat(ProceduralWeights.values("x.norm.weight", new long[] {2, 9}, 3)[0]).isEqualTo((float) (u1 / 3.0));
        double u2 = Procedural.uniform("motion_encoder.a.bias", 0, 3);
        assertThat(ProceduralWeights.values("motion_encoder.a.bias", vec, 3)[0]).isEqualTo((float) (0.1 * u2));
        double u3 = Procedural.uniform("motion_encoder.a.weight", 0, 3);
        assertThat(ProceduralWeights.values("motion_encoder.a.weight", new long[] {2, 9}, 3)[0]).isEqualTo((float) u3);
    }

    @Test
    void proceduralTensorIsScaledUniformInRowMajorOrder() {
        HostTensor t = Procedural.tensor("input.x", 7, 2.5, -1.0, 2, 3);
        assertThat(t.shape()).containsExactly(2, 3);
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).isEqualTo((float) (2.5 * Procedural.uniform("input.x", i, 7) - 1.0));
        }
        assertThat(Procedural.tensor("input.x", 7, 2, 3).toFloatArray()[4])
                .isEqualTo((float) Procedural.uniform("input.x", 4, 7));
        assertThatThrownBy(() -> Procedural.tensor("huge", 0, 1L << 20, 1L << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'huge'");
    }

    @Test
    void unknownKeyIsReported() {
        ProceduralWeights procedural = new ProceduralWeights(0, Map.of("a.weight", new long[] {2}));
        assertThatThrownBy(() -> procedural.get("b.weight")).isInstanceOf(WeightException.class)
                .hasMessageContaining("'b.weight'");
    }
}
