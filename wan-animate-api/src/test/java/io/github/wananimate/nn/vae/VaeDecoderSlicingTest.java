package io.github.wananimate.nn.vae;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.RefOps;
import io.github.wananimate.nn.RefTensor;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The decoder's full-resolution layers on slices of a chunk ({@code Ops.videoSliceFrames}) give the frames and the
 * caches of running them on the whole chunk: a start call of three latent frames (nine frames) and the continuation
 * call after it, in the double-precision reference executor, where only the order of summation could differ.
 */
class VaeDecoderSlicingTest {

    private static final VaeConfig CONFIG = VaeConfig.withDim(4);

    @Test
    void slicedFullResolutionLayersGiveTheWholeChunksFramesAndCaches() {
        VaeDecoder decoder = new VaeDecoder(CONFIG);
        Function<String, RefTensor> bound = weights(decoder);
        HostTensor start = HostTensor.ofFloats(new long[] {1, 16, 3, 2, 3},
                ProceduralWeights.values("latent.start", new long[] {1, 16, 3, 2, 3}, 5));
        HostTensor next = HostTensor.ofFloats(new long[] {1, 16, 1, 2, 3},
                ProceduralWeights.values("latent.next", new long[] {1, 16, 1, 2, 3}, 6));
        Map<String, RefTensor> whole = decode(decoder, new RefOps(bound, 0), start, next);
        for (int slice : new int[] {1, 2, 3}) {
            Map<String, RefTensor> sliced = decode(decoder, new RefOps(bound, slice), start, next);
            assertThat(sliced.keySet()).isEqualTo(whole.keySet());
            whole.forEach((name, expected) -> {
                assertThat(sliced.get(name).shape()).as("%s, slices of %d", name, slice).isEqualTo(expected.shape());
                double[] a = expected.values();
                double[] b = sliced.get(name).values();
                double worst = 0;
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                }
                assertThat(worst).as("%s, slices of %d", name, slice).isLessThan(1e-9);
            });
        }
    }

    @Test
    void theSliceHintIsAskedWithOneFrameOfTheHeadsInput() {
        VaeDecoder decoder = new VaeDecoder(CONFIG);
        List<Long> asked = new ArrayList<>();
        RefOps ops = new RefOps(weights(decoder), frameBytes -> {
            asked.add(frameBytes);
            return 0;
        });
        long[] shape = {1, 16, 1, 2, 3};
        decoder.forward(ops, Map.of(VaeDecoder.INPUT_LATENT,
                RefOps.of(HostTensor.ofFloats(shape, ProceduralWeights.values("latent", shape, 5)))));
        long stride = CONFIG.spaceStride();
        assertThat(asked).containsExactly((long) CONFIG.dim() * (2 * stride) * (3 * stride) * Float.BYTES);
    }

    private static Function<String, RefTensor> weights(VaeDecoder decoder) {
        Map<String, RefTensor> weights = new LinkedHashMap<>();
        decoder.parameters().forEach(spec -> weights.put(spec.key(),
                RefTensor.of(HostTensor.ofFloats(spec.shape(), ProceduralWeights.values(spec.key(), spec.shape(), 3)))));
        return weights::get;
    }

    /** The start call's outputs, then the continuation call's ({@code next.} prefix). */
    private static Map<String, RefTensor> decode(VaeDecoder decoder, RefOps ops, HostTensor start, HostTensor next) {
        Map<String, Tensor> first = decoder.forward(ops, Map.of(VaeDecoder.INPUT_LATENT, RefOps.of(start)));
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(VaeDecoder.INPUT_LATENT, RefOps.of(next));
        first.forEach((name, t) -> {
            if (FeatureCache.isUpdate(name)) {
                inputs.put(FeatureCache.inputFor(name), t);
            }
        });
        Map<String, Tensor> second = decoder.forward(ops, inputs);
        Map<String, RefTensor> all = new LinkedHashMap<>();
        first.forEach((name, t) -> all.put(name, RefOps.value(t)));
        second.forEach((name, t) -> all.put("next." + name, RefOps.value(t)));
        return all;
    }
}
