package io.github.wananimate.nn.clip;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.RefOps;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** golden/clip_tiny on the plain-Java executor: float32 preprocessing, then the tower in double precision. */
class ClipVisionEncoderTest {

    static final ClipVisionConfig TINY = new ClipVisionConfig(224, 14, 64, 2, 3, 4, 32);

    @Test
    void matchesGoldenClipTiny() {
        ClipVisionEncoder network = new ClipVisionEncoder(TINY);
        ParameterSource weights = ParameterBinding.validateAndPrepare(network,
                ProceduralWeights.forSpecs(0, network.parameters()));
        HostTensor image = GoldenFiles.proceduralInput("input.image", new long[] {3, 1, 80, 80}, 1.0, 0.0, 0);
        HostTensor pixels = ClipPreprocessing.preprocess(image, 224);
        assertThat(pixels.shape()).containsExactly(1, 3, 224, 224);

        Map<String, Tensor> out = network.forward(new RefOps(weights),
                Map.of(ClipVisionEncoder.INPUT, RefOps.of(pixels)));
        HostTensor features = RefOps.toHost(out.get(ClipVisionEncoder.OUTPUT));
        HostTensor golden = GoldenFiles.output("clip_tiny", "features");
        assertThat(features.shape()).containsExactly(golden.shape());
        double err = GoldenFiles.errorOverPeak(features.toFloatArray(), golden.toFloatArray());
        System.out.printf("clip_tiny features: max|err|/peak = %.3g%n", err);
        assertThat(err).isLessThan(1e-4);
    }
}
