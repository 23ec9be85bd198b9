package io.github.wananimate.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parity with golden/schedulers: timesteps, sigmas and the latent after every step (tolerance 1e-5 of peak). */
class SchedulerParityTest {

    private static final double TOLERANCE = 1e-5;
    private static SafetensorsFile golden;

    @BeforeAll
    static void open() throws URISyntaxException {
        Path dir = Path.of(SchedulerParityTest.class.getResource("/golden/schedulers/fixture.json").toURI()).getParent();
        golden = SafetensorsFile.open(dir.resolve("outputs.safetensors"));
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of("dpm++", 4), Arguments.of("dpm++", 20), Arguments.of("unipc", 4),
                Arguments.of("unipc", 20));
    }

    @ParameterizedTest(name = "{0} {1} steps")
    @MethodSource("cases")
    void matchesTheOriginal(String solver, int steps) {
        Map<String, HostTensor> ours = SamplerTrace.run(solver, steps, 5.0, new long[] {16, 3, 8, 8}, 0);
        assertThat(ours).hasSize(steps + 2);
        for (Map.Entry<String, HostTensor> e : ours.entrySet()) {
            HostTensor expected = golden.get(e.getKey());
            assertThat(e.getValue().shape()).as(e.getKey()).containsExactly(expected.shape());
            double error = maxAbsOverPeak(e.getValue().toFloatArray(), expected.toFloatArray());
            System.out.printf("%-32s max|diff|/peak = %.3e%n", e.getKey(), error);
            if (e.getKey().endsWith(".timesteps")) {
                assertThat(e.getValue().toFloatArray()).as(e.getKey()).containsExactly(expected.toFloatArray());
            } else {
                assertThat(error).as(e.getKey()).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    static double maxAbsOverPeak(float[] actual, float[] expected) {
        double diff = 0;
        double peak = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            peak = Math.max(peak, Math.abs(expected[i]));
        }
        return peak == 0 ? diff : diff / peak;
    }
}
