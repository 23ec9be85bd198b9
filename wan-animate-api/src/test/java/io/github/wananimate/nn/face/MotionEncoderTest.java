package io.github.wananimate.nn.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MotionEncoderTest {

    private final MotionEncoder encoder = new MotionEncoder("motion_encoder.");

    @Test
    void listsTheCheckpointKeysOfTheSpec() {
        List<ParameterSpec> specs = encoder.parameters();
        assertThat(specs.stream().filter(s -> !s.optional())).hasSize(49);
        assertThat(specs.stream().filter(ParameterSpec::optional))
                .hasSize(14).allMatch(s -> s.key().endsWith(".kernel") && s.shape().length == 2);
        Map<String, long[]> expected = GoldenFiles.weightShapes("motion_encoder", "weights");
        Map<String, long[]> required = new LinkedHashMap<>();
        specs.stream().filter(s -> !s.optional()).forEach(s -> required.put(s.key(), s.shape()));
        assertThat(required.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        required.forEach((key, shape) -> assertThat(shape).as(key).containsExactly(expected.get(key)));
    }

    @Test
    void prepareAddsTheDirectionQ() {
        try (ProceduralWeights weights = GoldenFiles.weights("motion_encoder")) {
            ParameterSource prepared = ParameterBinding.validateAndPrepare(encoder, weights);
            assertThat(encoder.directionQKey()).isEqualTo("motion_encoder.dec.direction.q");
            assertThat(prepared.contains(encoder.directionQKey())).isTrue();
            assertThat(prepared.shape(encoder.directionQKey())).containsExactly(512, 20);
            float[] q = prepared.get(encoder.directionQKey()).toFloatArray();
            float[] golden = GoldenFiles.output("motion_encoder", "direction_q").toFloatArray();
            for (int i = 0; i < q.length; i++) {
                assertThat(Math.abs(q[i] - golden[i])).as("Q element %d", i).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void blurKernelBuffersAreOptionalButShapeChecked() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        encoder.parameters().stream().filter(s -> !s.optional()).forEach(s -> shapes.put(s.key(), s.shape()));
        shapes.put("motion_encoder.enc.net_app.convs.3.skip.0.kernel", new long[] {3, 3});
        assertThatThrownBy(() -> ParameterBinding.validateAndPrepare(encoder, new ProceduralWeights(0, shapes)))
                .isInstanceOf(WeightException.class).hasMessageContaining("convs.3.skip.0.kernel");
    }

    @Test
    void aWrongCheckpointIsSummarisedNotListedKeyByKey() {
        Map<String, long[]> other = new LinkedHashMap<>();
        other.put("vae.encoder.conv1.weight", new long[] {4, 3, 3, 3});
        assertThatThrownBy(() -> ParameterBinding.validateAndPrepare(encoder, new ProceduralWeights(0, other)))
                .isInstanceOf(WeightException.class)
                .hasMessageContaining("49 problem(s) (49 of 49 required keys missing, 0 with the wrong shape, "
                        + "0 unexpected); none of its keys is there: is this the checkpoint of")
                .hasMessageContaining("(keys under 'motion_encoder.')")
                .hasMessageContaining("… and 39 more of the same kinds")
                .satisfies(e -> assertThat(e.getMessage().lines().filter(l -> l.startsWith("  - "))).hasSize(10));
    }
}
