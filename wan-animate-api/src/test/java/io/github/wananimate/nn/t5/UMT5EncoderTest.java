package io.github.wananimate.nn.t5;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.RefOps;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** golden/t5_tiny on the reference executor, padded with a key mask and on the real tokens only. */
class UMT5EncoderTest {

    static final UMT5Config TINY = new UMT5Config(256, 64, 64, 128, 2, 2, 32, 128);
    static final int[] IDS = {7, 44, 81, 118, 155, 192, 229, 12, 1, 0, 0, 0, 0, 0, 0, 0};
    static final int REAL = 9;

    private static ParameterSource weights(UMT5Encoder network) {
        return ParameterBinding.validateAndPrepare(network, ProceduralWeights.forSpecs(0, network.parameters()));
    }

    @Test
    void paddedWithMaskMatchesGolden() {
        UMT5Encoder network = new UMT5Encoder(TINY, true);
        ParameterSource weights = weights(network);
        float[] mask = new float[IDS.length];
        Arrays.fill(mask, 0, REAL, 1f);
        HostTensor embeddings = TokenEmbeddings.gather(weights, UMT5Encoder.TOKEN_EMBEDDING_KEY, IDS);
        Map<String, Tensor> out = network.forward(new RefOps(weights), Map.of(
                UMT5Encoder.INPUT_EMBEDDINGS, RefOps.of(embeddings),
                UMT5Encoder.INPUT_KEY_MASK, RefOps.of(HostTensor.ofFloats(new long[] {IDS.length}, mask))));

        HostTensor context = RefOps.toHost(out.get(UMT5Encoder.OUTPUT));
        float[] trimmed = Arrays.copyOf(context.toFloatArray(), REAL * 64);
        double contextErr = GoldenFiles.errorOverPeak(trimmed, GoldenFiles.output("t5_tiny", "context").toFloatArray());
        HostTensor bias = RefOps.toHost(out.get(UMT5Encoder.OUTPUT_LAYER0_POSITION_BIAS));
        HostTensor goldenBias = GoldenFiles.output("t5_tiny", "layer0_position_bias");
        assertThat(bias.shape()).containsExactly(goldenBias.shape());
        double biasErr = GoldenFiles.errorOverPeak(bias.toFloatArray(), goldenBias.toFloatArray());
        System.out.printf("t5_tiny padded: context %.3g, layer0_position_bias %.3g%n", contextErr, biasErr);
        assertThat(contextErr).isLessThan(1e-4);
        assertThat(biasErr).isZero();
    }

    @Test
    void realTokensOnlyGiveTheSameRows() {
        UMT5Encoder network = new UMT5Encoder(TINY);
        ParameterSource weights = weights(network);
        HostTensor embeddings = TokenEmbeddings.gather(weights, UMT5Encoder.TOKEN_EMBEDDING_KEY,
                Arrays.copyOf(IDS, REAL));
        Map<String, Tensor> out = network.forward(new RefOps(weights),
                Map.of(UMT5Encoder.INPUT_EMBEDDINGS, RefOps.of(embeddings)));
        HostTensor context = RefOps.toHost(out.get(UMT5Encoder.OUTPUT));
        assertThat(context.shape()).containsExactly(REAL, 64);
        double err = GoldenFiles.errorOverPeak(context.toFloatArray(), GoldenFiles.output("t5_tiny", "context").toFloatArray());
        System.out.printf("t5_tiny real tokens only: context %.3g%n", err);
        assertThat(err).isLessThan(1e-4);
    }
}
