package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.vae.FeatureCache;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeDecoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.HostTensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A VAE decoder chunk cut where it releases the cache handed over to it ({@link OnnxGraphRecorder#cutAtReleasedInputs}),
 * so that the caller's cache goes in steps: the cuts fall where the recorder is told, each carried cache frame set is
 * last read before the forward ends, the cut forward gives the uncut one's frames and caches, and only a backend
 * without the arena on jemalloc cuts.
 */
class OnnxReleasedInputCutsTest {

    private static final VaeConfig CONFIG = VaeConfig.withDim(4);
    private static final long[] START = {1, 16, 3, 2, 3};
    private static final long[] NEXT = {1, 16, 1, 2, 3};

    @Test
    void aContinuationIsCutAtItsReleasedCacheWhichIsReadBeforeTheLastSegment() {
        VaeDecoder decoder = new VaeDecoder(CONFIG);
        Map<String, long[]> cacheShapes = cacheShapes(decoder);

        SegmentedGraph cut = record(decoder, cacheShapes, true).finishSegments(decoder.name());
        // every release of a carried frame set closes a segment: one per cache input, and the rest of the chunk
        assertThat(cut.segments()).hasSize(cacheShapes.size() + 1)
                .allMatch(segment -> segment.streamedGroup() == null);
        Map<String, Integer> lastRead = new HashMap<>();
        for (int s = 0; s < cut.segments().size(); s++) {
            for (String input : cut.segments().get(s).graph().inputNames().keySet()) {
                lastRead.put(input, s);
            }
        }
        for (String cacheInput : cacheShapes.keySet()) {
            String value = cut.inputNames().get(cacheInput);
            assertThat(lastRead.get(value)).as(cacheInput).isNotNull().isLessThan(cut.segments().size() - 1);
        }
        assertThat(record(decoder, cacheShapes, false).isCut()).as("no cuts asked for").isFalse();
    }

    @Test
    void aCutForwardFreesTheHandedOverCacheAndGivesTheUncutFramesAndCaches() {
        VaeDecoder decoder = new VaeDecoder(CONFIG);
        ProceduralWeights weights = ProceduralWeights.forSpecs(3, decoder.parameters());
        HostTensor start = HostTensor.ofFloats(START, ProceduralWeights.values("latent.start", START, 5));
        HostTensor next = HostTensor.ofFloats(NEXT, ProceduralWeights.values("latent.next", NEXT, 6));

        Map<String, HostTensor> uncut = decode(OnnxBackend.CpuArena.ON, true, decoder, weights, start, next);
        assertThat(decode(OnnxBackend.CpuArena.OFF, false, decoder, weights, start, next)).as("uncut on glibc")
                .containsOnlyKeys(uncut.keySet());
        for (OnnxBackend.CpuArena arena : List.of(OnnxBackend.CpuArena.OFF, OnnxBackend.CpuArena.SHARED)) {
            Map<String, HostTensor> cut = decode(arena, true, decoder, weights, start, next);
            assertThat(cut.keySet()).as(arena.name()).isEqualTo(uncut.keySet());
            uncut.forEach((name, expected) -> {
                float[] a = expected.toFloatArray();
                float[] b = cut.get(name).toFloatArray();
                assertThat(b).as(name).hasSameSizeAs(a);
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).as("%s %s[%d]", arena, name, i).isCloseTo(a[i], offset(1e-5f));
                }
            });
        }
    }

    /** The continuation's outputs on the host, after a start call whose caches are handed over to it. */
    private static Map<String, HostTensor> decode(OnnxBackend.CpuArena arena, boolean onJemalloc, VaeDecoder decoder,
            ProceduralWeights weights, HostTensor start, HostTensor next) {
        boolean cuts = arena == OnnxBackend.CpuArena.OFF && onJemalloc || arena == OnnxBackend.CpuArena.SHARED;
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu(), OnnxGraphRecorder.Options.defaults(), arena,
                onJemalloc);
             LoadedNetwork loaded = backend.load(decoder, weights)) {
            Map<String, DeviceTensor> cache = new LinkedHashMap<>();
            try (RunOutputs first = loaded.run(Map.of(VaeDecoder.INPUT_LATENT, start), Map.of(),
                    FeatureCache::isUpdate)) {
                first.device().forEach((name, t) -> cache.put(FeatureCache.inputFor(name), t));
                long sessionsBefore = ((OnnxLoadedNetwork) loaded).sessionsCreated();
                try (RunOutputs second = loaded.runConsuming(Map.of(VaeDecoder.INPUT_LATENT, next), cache,
                        name -> false)) {
                    assertThat(cache.values()).as(arena + ": the handed-over cache is closed")
                            .noneMatch(DeviceTensor::isOpen);
                    long sessions = ((OnnxLoadedNetwork) loaded).sessionsCreated() - sessionsBefore;
                    assertThat(sessions).as(arena + (onJemalloc ? " on jemalloc" : " on glibc")
                            + ": sessions of the continuation").isEqualTo(cuts ? cache.size() + 1 : 1);
                    return Map.copyOf(second.host());
                }
            }
        }
    }

    private static OnnxGraphRecorder record(VaeDecoder decoder, Map<String, long[]> cacheShapes, boolean cut) {
        Map<String, long[]> shapes = new HashMap<>();
        decoder.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        OnnxGraphRecorder recorder = new OnnxGraphRecorder(shapes::get, OnnxGraphRecorder.Options.defaults(), false,
                Set.of()).cutAtReleasedInputs(cut);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(VaeDecoder.INPUT_LATENT, recorder.input(VaeDecoder.INPUT_LATENT, NEXT));
        cacheShapes.forEach((name, shape) -> inputs.put(name, recorder.input(name, shape)));
        decoder.forward(recorder, RequiredInputs.of(decoder.name(), inputs)).forEach(recorder::output);
        return recorder;
    }

    /** The cache inputs of a continuation after the start chunk, by input name, from recording the start chunk. */
    private static Map<String, long[]> cacheShapes(VaeDecoder decoder) {
        Map<String, long[]> shapes = new HashMap<>();
        decoder.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        OnnxGraphRecorder recorder = new OnnxGraphRecorder(shapes::get, OnnxGraphRecorder.Options.defaults(), false);
        Map<String, Tensor> outputs = decoder.forward(recorder,
                Map.of(VaeDecoder.INPUT_LATENT, recorder.input(VaeDecoder.INPUT_LATENT, START)));
        Map<String, long[]> cache = new LinkedHashMap<>();
        outputs.forEach((name, t) -> {
            if (FeatureCache.isUpdate(name)) {
                cache.put(FeatureCache.inputFor(name), t.shape());
            }
        });
        return cache;
    }
}
