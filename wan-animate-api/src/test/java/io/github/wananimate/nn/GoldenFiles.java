package io.github.wananimate.nn;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helpers for the golden fixtures copied under {@code src/test/resources/golden}. */
public final class GoldenFiles {

    private GoldenFiles() {
    }

    public static Path folder(String fixture) {
        URL url = GoldenFiles.class.getResource("/golden/" + fixture + "/fixture.json");
        if (url == null) {
            throw new IllegalStateException("fixture " + fixture + " is not on the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static HostTensor output(String fixture, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(folder(fixture).resolve("outputs.safetensors"))) {
            return HostTensor.ofFloats(f.shape(name), f.get(name).toFloatArray());
        }
    }

    /** The fixture's {@code fixture.json}. */
    public static JsonObject description(String fixture) {
        try {
            return JsonParser.parseString(Files.readString(folder(fixture).resolve("fixture.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's seed (an unsigned 64-bit value, written as a number or a decimal string). */
    public static long seed(String fixture) {
        JsonObject json = description(fixture);
        return json.has("seed") ? Long.parseUnsignedLong(json.get("seed").getAsString().trim()) : 0L;
    }

    /** The ordered key → shape map of the fixture's top-level weight list {@code field} ([key, shape] pairs). */
    public static Map<String, long[]> weightShapes(String fixture, String field) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (JsonElement pair : description(fixture).getAsJsonArray(field)) {
            var dims = pair.getAsJsonArray().get(1).getAsJsonArray();
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            shapes.put(pair.getAsJsonArray().get(0).getAsString(), shape);
        }
        return shapes;
    }

    /** The procedural weights of the fixture's {@code weights} list (PROCEDURAL.md). */
    public static ProceduralWeights weights(String fixture) {
        return new ProceduralWeights(seed(fixture), weightShapes(fixture, "weights"));
    }

    /** A procedural input: {@code scale · u(name, i, seed) + offset} (PROCEDURAL.md). */
    public static HostTensor proceduralInput(String name, long[] shape, double scale, double offset, long seed) {
        return Procedural.tensor(name, seed, scale, offset, shape);
    }

    /** {@code max |actual − expected| / max |expected|}. */
    public static double errorOverPeak(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException(actual.length + " values, expected " + expected.length);
        }
        double peak = 0;
        double err = 0;
        for (int i = 0; i < actual.length; i++) {
            peak = Math.max(peak, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
        }
        return err / peak;
    }
}
