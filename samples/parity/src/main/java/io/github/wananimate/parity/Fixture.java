package io.github.wananimate.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One golden fixture folder ({@code shared/golden/README.md}): {@code fixture.json} (component, seed, config,
 * procedural inputs and weight lists, tolerance) and {@code outputs.safetensors} (the original implementation's
 * float32 outputs). Inputs and weights are regenerated from their names and the seed ({@code PROCEDURAL.md}).
 */
public final class Fixture implements AutoCloseable {

    /** The tolerance of {@code golden/README.md} when a fixture states none. */
    public static final double DEFAULT_MAX_ABS_OVER_PEAK = 1e-4;

    public static final String DESCRIPTION_FILE = "fixture.json";
    public static final String OUTPUTS_FILE = "outputs.safetensors";

    private final Path directory;
    private final JsonObject json;
    private final long seed;
    private final SafetensorsFile outputs;
    private final Map<String, InputSpec> inputs;

    /**
     * One procedural input: {@code value = scale · u(name, i, seed) + offset}, then the optional transform.
     * A name may be a template such as {@code model_output.<k>}, which matches {@code model_output.0},
     * {@code model_output.1}, … (all of the same shape).
     */
    public record InputSpec(String name, long[] shape, double scale, double offset, InputTransform transform) {
    }

    private Fixture(Path directory, JsonObject json, SafetensorsFile outputs) {
        this.directory = directory;
        this.json = json;
        this.outputs = outputs;
        this.seed = json.has("seed") ? parseSeed(json.get("seed"), directory) : 0L;
        this.inputs = parseInputs(json, directory);
    }

    /** Reads {@code dir/fixture.json}; maps {@code dir/outputs.safetensors} when present. */
    public static Fixture load(Path dir) {
        Path description = dir.resolve(DESCRIPTION_FILE);
        if (!Files.isRegularFile(description)) {
            throw new FixtureException("not a fixture folder: " + dir + " has no " + DESCRIPTION_FILE);
        }
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(description, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new FixtureException("cannot read " + description + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new FixtureException(description + " is not a JSON object: " + e.getMessage(), e);
        }
        if (!json.has("component")) {
            throw new FixtureException(description + " names no \"component\"");
        }
        Path outputsFile = dir.resolve(OUTPUTS_FILE);
        SafetensorsFile outputs = Files.isRegularFile(outputsFile) ? SafetensorsFile.open(outputsFile) : null;
        return new Fixture(dir, json, outputs);
    }

    public Path directory() {
        return directory;
    }

    /** The folder name, e.g. {@code motion_encoder}. */
    public String name() {
        Path fileName = directory.toAbsolutePath().normalize().getFileName();
        return fileName == null ? directory.toString() : fileName.toString();
    }

    public String component() {
        return json.get("component").getAsString();
    }

    /** The seed as an unsigned 64-bit value (fixtures may write it as a number or a decimal string). */
    public long seed() {
        return seed;
    }

    /** The {@code config} object ({@code {}} when absent). */
    public JsonObject config() {
        return json.has("config") ? json.getAsJsonObject("config") : new JsonObject();
    }

    /** The whole {@code fixture.json}, for component-specific fields ({@code timestep}, {@code cases}, …). */
    public JsonObject json() {
        return json;
    }

    /** {@code tolerance.max_abs_over_peak}, or {@link #DEFAULT_MAX_ABS_OVER_PEAK}. */
    public double tolerance() {
        if (json.has("tolerance") && json.get("tolerance").isJsonObject()) {
            JsonObject t = json.getAsJsonObject("tolerance");
            if (t.has("max_abs_over_peak")) {
                return t.get("max_abs_over_peak").getAsDouble();
            }
        }
        return DEFAULT_MAX_ABS_OVER_PEAK;
    }

    // ---------------------------------------------------------------- expected outputs

    /** Names of the golden outputs, in file order (empty when the fixture has no outputs file). */
    public Set<String> expectedNames() {
        return outputs == null ? Set.of() : outputs.keys();
    }

    public boolean hasExpected(String name) {
        return outputs != null && outputs.contains(name);
    }

    /** The golden output {@code name} as float32. */
    public HostTensor expected(String name) {
        if (!hasExpected(name)) {
            throw new FixtureException("fixture " + directory + " has no golden output '" + name + "'; it has "
                    + expectedNames());
        }
        return outputs.get(name).toF32();
    }

    // ---------------------------------------------------------------- procedural inputs

    /** The declared input names (templates included), in file order. */
    public Set<String> inputNames() {
        return inputs.keySet();
    }

    /** The declaration that generates {@code name} (exact match first, then templates). */
    public InputSpec inputSpec(String name) {
        InputSpec exact = inputs.get(name);
        if (exact != null) {
            return exact;
        }
        for (InputSpec spec : inputs.values()) {
            if (spec.name().contains("<") && templatePattern(spec.name()).matcher(name).matches()) {
                return spec;
            }
        }
        throw new FixtureException("fixture " + directory + " declares no input '" + name + "'; it declares "
                + inputs.keySet());
    }

    /** The procedural input {@code name}: {@code scale · u(name, i, seed) + offset}, transformed, as float32. */
    public HostTensor input(String name) {
        InputSpec spec = inputSpec(name);
        long count = Shapes.elementCount(spec.shape());
        if (count > Integer.MAX_VALUE) {
            throw new FixtureException("input '" + name + "' of shape " + Shapes.toString(spec.shape())
                    + " is too large for one host tensor");
        }
        float[] values = new float[(int) count];
        long hash = Procedural.fnv1a64(name) ^ seed;
        for (int i = 0; i < values.length; i++) {
            double u = Procedural.uniform(hash, i);
            values[i] = (float) spec.transform().apply(u, spec.scale() * u + spec.offset());
        }
        return HostTensor.ofFloats(spec.shape(), values);
    }

    // ---------------------------------------------------------------- procedural weights

    /** Procedural weights for the top-level {@code weights} list. */
    public ProceduralWeights weights() {
        return weights("weights");
    }

    /**
     * Procedural weights for another list: a top-level field ({@code vae_weights}) or a dotted path into nested
     * objects ({@code weights.dit}). The list holds {@code [key, shape]} pairs.
     */
    public ProceduralWeights weights(String field) {
        return new ProceduralWeights(seed, weightShapes(field));
    }

    /** The ordered key → shape map of a weight list (see {@link #weights(String)}). */
    public Map<String, long[]> weightShapes(String field) {
        JsonElement node = json;
        for (String part : field.split("\\.")) {
            if (node == null || !node.isJsonObject() || !node.getAsJsonObject().has(part)) {
                throw new FixtureException("fixture " + directory + " has no weight list '" + field + "'");
            }
            node = node.getAsJsonObject().get(part);
        }
        if (!node.isJsonArray()) {
            throw new FixtureException("fixture " + directory + ": '" + field
                    + "' is not a list of [key, shape] pairs (it is " + kind(node) + ")");
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (JsonElement entry : node.getAsJsonArray()) {
            JsonArray pair = entry.getAsJsonArray();
            shapes.put(pair.get(0).getAsString(), toShape(pair.get(1).getAsJsonArray()));
        }
        return shapes;
    }

    @Override
    public void close() {
        if (outputs != null) {
            outputs.close();
        }
    }

    @Override
    public String toString() {
        return "Fixture{" + name() + ", component " + component() + ", seed " + Long.toUnsignedString(seed) + "}";
    }

    // ---------------------------------------------------------------- parsing

    private static long parseSeed(JsonElement seed, Path dir) {
        try {
            return Long.parseUnsignedLong(seed.getAsString().trim());
        } catch (NumberFormatException e) {
            throw new FixtureException(dir.resolve(DESCRIPTION_FILE) + ": seed " + seed
                    + " is not an unsigned 64-bit integer", e);
        }
    }

    private static Map<String, InputSpec> parseInputs(JsonObject json, Path dir) {
        Map<String, InputSpec> inputs = new LinkedHashMap<>();
        if (!json.has("inputs")) {
            return inputs;
        }
        for (JsonElement e : json.getAsJsonArray("inputs")) {
            JsonObject o = e.getAsJsonObject();
            String name = o.get("name").getAsString();
            double scale = o.has("scale") ? o.get("scale").getAsDouble() : 1.0;
            double offset = o.has("offset") ? o.get("offset").getAsDouble() : 0.0;
            InputTransform transform;
            try {
                transform = o.has("transform") ? InputTransform.parse(o.get("transform").getAsString())
                        : InputTransform.NONE;
            } catch (IllegalArgumentException ex) {
                throw new FixtureException(dir.resolve(DESCRIPTION_FILE) + ", input '" + name + "': "
                        + ex.getMessage(), ex);
            }
            inputs.put(name, new InputSpec(name, toShape(o.getAsJsonArray("shape")), scale, offset, transform));
        }
        return inputs;
    }

    private static long[] toShape(JsonArray dims) {
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).getAsLong();
        }
        return shape;
    }

    private static Pattern templatePattern(String template) {
        String[] literals = template.split("<[^>]*>", -1);
        StringBuilder regex = new StringBuilder(Pattern.quote(literals[0]));
        for (int i = 1; i < literals.length; i++) {
            regex.append("[^.]+").append(Pattern.quote(literals[i]));
        }
        return Pattern.compile(regex.toString());
    }

    private static String kind(JsonElement e) {
        return e.isJsonObject() ? "an object with fields " + new ArrayList<>(e.getAsJsonObject().keySet())
                : e.isJsonPrimitive() ? "the value " + e : e.toString();
    }
}
