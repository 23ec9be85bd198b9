package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RefBackend;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The VAE on the pure-Java reference executor with a dim-8 config at 16x16: chunked and streamed calls against the
 * whole-sequence form, causality, the 4k+1 rule and the weight layout. Numerical parity with the original lives in
 * the golden fixture {@code vae_tiny}, run on each backend.
 */
class WanVaeTest {

    private static final VaeConfig CONFIG = VaeConfig.withDim(8);
    private static final int FRAMES = 9;
    private static final int SIZE = 16;

    private static WanVae vae;

    @BeforeAll
    static void load() {
        vae = WanVae.load(new RefBackend(), ProceduralWeights.forSpecs(0, VaeWeights.parameters(CONFIG)), CONFIG);
    }

    @AfterAll
    static void close() {
        vae.close();
    }

    @Test
    void officialConfigHasThe194TensorsOfWan21Vae() {
        List<ParameterSpec> specs = VaeWeights.parameters(VaeConfig.official());
        long parameters = specs.stream().mapToLong(s -> Shapes.elementCount(s.shape())).sum();
        assertThat(specs).hasSize(194);
        assertThat(parameters).isEqualTo(126_892_531L);
        assertThat(specs.stream().map(ParameterSpec::key).distinct().count()).isEqualTo(194);
    }

    @Test
    void dim16ConfigListsExactlyTheGoldenFixtureWeights() throws Exception {
        Map<String, long[]> golden = new LinkedHashMap<>();
        try (Reader reader = new InputStreamReader(
                getClass().getResourceAsStream("/golden/vae_tiny/fixture.json"), StandardCharsets.UTF_8)) {
            for (JsonElement entry : JsonParser.parseReader(reader).getAsJsonObject().getAsJsonArray("weights")) {
                JsonArray pair = entry.getAsJsonArray();
                JsonArray shape = pair.get(1).getAsJsonArray();
                long[] dims = new long[shape.size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = shape.get(i).getAsLong();
                }
                golden.put(pair.get(0).getAsString(), dims);
            }
        }
        Map<String, String> ours = new LinkedHashMap<>();
        VaeWeights.parameters(VaeConfig.withDim(16)).forEach(s -> ours.put(s.key(), Arrays.toString(s.shape())));
        Map<String, String> expected = new LinkedHashMap<>();
        golden.forEach((k, v) -> expected.put(k, Arrays.toString(v)));
        assertThat(ours).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void chunkedEncodeEqualsTheWholeSequence() {
        HostTensor video = Procedural.tensor("input.video", 0, 3, FRAMES, SIZE, SIZE);
        HostTensor chunked = vae.encode(video);
        HostTensor whole = vae.encodeFullSequence(video);
        assertThat(chunked.shape()).containsExactly(16, 3, SIZE / 8, SIZE / 8);
        assertThat(relativeError(chunked, whole)).isLessThan(1e-5);
    }

    @Test
    void streamedDecodeEqualsTheWholeSequenceChunkByChunk() {
        HostTensor latent = Procedural.tensor("input.latent", 0, 16, 3, SIZE / 8, SIZE / 8);
        List<HostTensor> chunks = new ArrayList<>();
        vae.decode(latent, chunks::add);
        assertThat(chunks).extracting(c -> c.shape()[1]).containsExactly(1L, 4L, 4L);
        HostTensor streamed = WanVae.concatFrames(chunks);
        HostTensor whole = vae.decodeFullSequence(latent);
        assertThat(whole.shape()).containsExactly(3, FRAMES, SIZE, SIZE);
        assertThat(relativeError(streamed, whole)).isLessThan(1e-5);
        float[] values = whole.toFloatArray();
        for (float value : values) {
            assertThat(value).isBetween(-1f, 1f);
        }
    }

    @Test
    void encoderOutputsDoNotDependOnLaterFrames() {
        HostTensor video = Procedural.tensor("input.video", 0, 3, FRAMES, SIZE, SIZE);
        HostTensor changed = replaceFrames(video, Procedural.tensor("other.video", 0, 3, FRAMES, SIZE, SIZE), 5,
                FRAMES);
        HostTensor a = vae.encodeFullSequence(video);
        HostTensor b = vae.encodeFullSequence(changed);
        // Latent frame j sees pixel frames up to 4j: frames 5..8 only reach latent frame 2.
        assertThat(WanVae.sliceFrames(b, 0, 2).toFloatArray()).containsExactly(WanVae.sliceFrames(a, 0, 2).toFloatArray());
        assertThat(relativeError(WanVae.sliceFrames(b, 2, 3), WanVae.sliceFrames(a, 2, 3))).isGreaterThan(1e-3);
        assertThat(relativeError(vae.encode(changed), b)).isLessThan(1e-5);
    }

    @Test
    void aTiledDecodeIsTheRampBlendOfItsTilesEachDecodedAlone() {
        // latent 6 × 4 in tiles of 4: rows start at 0 and 2 (16 shared pixel rows), one column
        HostTensor latent = Procedural.tensor("input.latent", 0, 16, 2, 6, 4);
        VaeTiling tiling = new VaeTiling(4);
        assertThat(tiling.starts(6)).containsExactly(0, 2);
        List<HostTensor> chunks = new ArrayList<>();
        vae.decodeChunks(latent, tiling).forEachRemaining(chunks::add);
        assertThat(chunks).extracting(c -> c.shape()[1]).containsExactly(1L, 4L);
        float[] tiled = WanVae.concatFrames(chunks).toFloatArray();
        float[] top = vae.decode(WanVae.crop(latent, 0, 4, 0, 4)).toFloatArray();
        float[] bottom = vae.decode(WanVae.crop(latent, 2, 4, 0, 4)).toFloatArray();
        int height = 48;
        int width = 32;
        double peak = 0;
        double worst = 0;
        for (int plane = 0; plane < 3 * 5; plane++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double fromTop = y < 32 ? top[(plane * 32 + y) * width + x] : 0;
                    double fromBottom = y >= 16 ? bottom[(plane * 32 + y - 16) * width + x] : 0;
                    double expected = y < 16 ? fromTop : y >= 32 ? fromBottom
                            : (fromTop * (32 - y) + fromBottom * (y - 15)) / 17;
                    peak = Math.max(peak, Math.abs(expected));
                    worst = Math.max(worst, Math.abs(tiled[(plane * height + y) * width + x] - expected));
                }
            }
        }
        assertThat(worst).isLessThan(1e-5 * peak);
        // a tiling that does not cut the frame is the plain decode
        assertThat(WanVae.concatFrames(toList(vae.decodeChunks(latent, new VaeTiling(8)))).toFloatArray())
                .containsExactly(vae.decode(latent).toFloatArray());
    }

    private static List<HostTensor> toList(java.util.Iterator<HostTensor> chunks) {
        List<HostTensor> list = new ArrayList<>();
        chunks.forEachRemaining(list::add);
        return list;
    }

    @Test
    void decoderOutputsDoNotDependOnLaterLatentFrames() {
        HostTensor latent = Procedural.tensor("input.latent", 0, 16, 3, SIZE / 8, SIZE / 8);
        HostTensor changed = replaceFrames(latent, Procedural.tensor("other.latent", 0, 16, 3, SIZE / 8, SIZE / 8),
                2, 3);
        HostTensor a = vae.decodeFullSequence(latent);
        HostTensor b = vae.decodeFullSequence(changed);
        assertThat(WanVae.sliceFrames(b, 0, 5).toFloatArray()).containsExactly(WanVae.sliceFrames(a, 0, 5).toFloatArray());
        assertThat(relativeError(WanVae.sliceFrames(b, 5, 9), WanVae.sliceFrames(a, 5, 9))).isGreaterThan(1e-3);
        assertThat(relativeError(vae.decode(changed), b)).isLessThan(1e-5);
    }

    @Test
    void singleFrameRoundTripShapes() {
        HostTensor latent = vae.encode(Procedural.tensor("input.image", 0, 3, 1, SIZE, SIZE));
        assertThat(latent.shape()).containsExactly(16, 1, SIZE / 8, SIZE / 8);
        assertThat(vae.decode(latent).shape()).containsExactly(3, 1, SIZE, SIZE);
    }

    @Test
    void rejectsFrameCountsThatAreNot4kPlus1() {
        HostTensor eight = HostTensor.zeros(3, 8, SIZE, SIZE);
        assertThatThrownBy(() -> vae.encode(eight)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4k+1").hasMessageContaining("got 8 frames")
                .hasMessageContaining("5 or 9 frames");
        assertThatThrownBy(() -> vae.encodeFullSequence(HostTensor.zeros(3, 10, SIZE, SIZE)))
                .hasMessageContaining("got 10 frames");
    }

    @Test
    void reportsEveryWeightProblemTogether() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        VaeWeights.parameters(CONFIG).forEach(s -> shapes.put(s.key(), s.shape()));
        shapes.remove("decoder.upsamples.3.time_conv.weight");
        shapes.put("encoder.conv1.bias", new long[] {9});
        shapes.put("model_ema.decay", new long[] {1});
        ParameterSource broken = new ProceduralWeights(0, shapes);
        assertThatThrownBy(() -> VaeWeights.validate(broken, CONFIG)).isInstanceOf(WeightException.class)
                .hasMessageContaining("3 problem(s)")
                .hasMessageContaining("missing key 'decoder.upsamples.3.time_conv.weight' (expected shape [64, 32, 3, 1, 1])")
                .hasMessageContaining("key 'encoder.conv1.bias' has shape [9], expected [8]")
                .hasMessageContaining("unexpected key 'model_ema.decay'");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** {@code base} with frames {@code [from, to)} of every channel taken from {@code other}. */
    private static HostTensor replaceFrames(HostTensor base, HostTensor other, long from, long to) {
        long frames = base.shape()[1];
        List<HostTensor> parts = new ArrayList<>();
        parts.add(WanVae.sliceFrames(base, 0, from));
        parts.add(WanVae.sliceFrames(other, from, to));
        if (to < frames) {
            parts.add(WanVae.sliceFrames(base, to, frames));
        }
        return WanVae.concatFrames(parts);
    }

    static double relativeError(HostTensor actual, HostTensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        double maxDiff = 0;
        double peak = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
            peak = Math.max(peak, Math.abs(e[i]));
        }
        return maxDiff / peak;
    }
}
