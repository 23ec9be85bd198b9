package io.github.wananimate.nn;

import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

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
