package io.github.wananimate.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The job table: CSV (with a header), JSON lines or Parquet, one row per video. Column names are those of
 * {@link #COLUMNS}; only {@code id} and {@code signals} are required. A column the application does not know fails
 * the whole table (a misspelt option must not be silently ignored); a bad value fails only its row.
 */
public final class JobTable {

    /** Every column the table may have, in the order the README documents them. */
    public static final List<String> COLUMNS = List.of("id", "mode", "character", "signals", "output", "model",
            "backend", "device", "precision", "steps", "solver", "shift", "guide_scale", "seed", "clip_length",
            "refert", "fps", "prompt", "negative_prompt", "relight", "relight_strength");
    private static final List<String> REQUIRED = List.of("id", "signals");
    /** Where a row without {@code output} writes, under the output folder. */
    static final String DEFAULT_OUTPUT_FOLDER = "videos";

    /**
     * The application-wide settings a row inherits and the folders relative URIs resolve against.
     *
     * @param tableFolder the job table's folder (qualified URI): relative {@code character}, {@code signals} and
     *     {@code model} paths resolve here
     * @param outFolder the output folder (qualified URI): relative {@code output} paths resolve here
     * @param model default model folder, or null for the demo weights
     * @param backend default backend, or null for the best available one
     * @param device default device, or null: the GPU Spark assigns to the task, else the CPU
     * @param precision default conditioning precision, or null for the model's default
     */
    public record Defaults(String tableFolder, String outFolder, String model, String backend, String device,
            String precision) {
    }

    /**
     * The parsed table: rows ready to render, and rows rejected while parsing (as failed results).
     */
    public record Parsed(List<JobSpec> jobs, List<RenderResult> rejected) {
    }

    private JobTable() {
    }

    /** Reads the table at {@code uri}; {@code format} is csv, json or parquet, or null to go by the extension. */
    public static Dataset<Row> read(SparkSession spark, String uri, String format) {
        String f = format != null ? format.toLowerCase(Locale.ROOT) : formatOf(uri);
        return switch (f) {
            case "csv" -> spark.read().option("header", "true").option("inferSchema", "false")
                    .option("ignoreLeadingWhiteSpace", "true").option("ignoreTrailingWhiteSpace", "true").csv(uri);
            case "json" -> spark.read().json(uri);
            case "parquet" -> spark.read().parquet(uri);
            default -> throw new IllegalArgumentException("job table format must be csv, json or parquet, got '" + f
                    + "' for " + uri);
        };
    }

    static String formatOf(String uri) {
        String name = uri.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return "json";
        }
        if (name.endsWith(".parquet")) {
            return "parquet";
        }
        throw new IllegalArgumentException("cannot tell the job table's format from its name " + uri
                + " (.csv, .json/.jsonl or .parquet); pass --jobs-format");
    }

    /**
     * Parses the collected rows of {@code table}.
     *
     * @throws IllegalArgumentException naming the unknown or missing columns
     */
    public static Parsed parse(Dataset<Row> table, Defaults defaults) {
        return parse(table.columns(), table.collectAsList(), defaults);
    }

    /** Parses {@code rows}, whose fields are in the order of {@code columns}. */
    static Parsed parse(String[] columns, List<Row> rows, Defaults defaults) {
        List<String> unknown = Arrays.stream(columns).filter(c -> !COLUMNS.contains(c)).toList();
        List<String> missing = REQUIRED.stream().filter(c -> !Arrays.asList(columns).contains(c)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new IllegalArgumentException("job table columns: " + (unknown.isEmpty() ? "" : "unknown " + unknown
                    + " ") + (missing.isEmpty() ? "" : "missing " + missing + " ") + "(known: " + COLUMNS + ")");
        }
        List<JobSpec> jobs = new ArrayList<>();
        List<RenderResult> rejected = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> values = values(rows.get(i), columns);
            String id = values.get("id");
            String label = id != null ? id : "row " + (i + 1);
            String output = null;
            long seed = -1;
            try {
                if (id == null) {
                    throw new IllegalArgumentException("row " + (i + 1) + " has no id");
                }
                if (!ids.add(id)) {
                    throw new IllegalArgumentException("duplicate id '" + id + "' (row " + (i + 1) + ")");
                }
                output = resolve(defaults.outFolder(), values.getOrDefault("output",
                        DEFAULT_OUTPUT_FOLDER + "/" + id + ".mp4"));
                seed = values.containsKey("seed") ? parseLong(values, "seed") : JobSpec.seedFor(id);
                jobs.add(spec(id, values, output, seed, defaults));
            } catch (IllegalArgumentException e) {
                rejected.add(RenderResult.failed(label, output, seed, null, e));
            }
        }
        return new Parsed(List.copyOf(jobs), List.copyOf(rejected));
    }

    private static JobSpec spec(String id, Map<String, String> v, String output, long seed, Defaults d) {
        String mode = v.getOrDefault("mode", "animate").toLowerCase(Locale.ROOT);
        if (!mode.equals("animate") && !mode.equals("replace")) {
            throw new IllegalArgumentException("column mode must be animate or replace, got '" + mode + "'");
        }
        String signals = v.get("signals");
        if (signals == null) {
            throw new IllegalArgumentException("column signals is empty");
        }
        if (!signals.equalsIgnoreCase(JobSpec.DEMO_SIGNALS)) {
            signals = resolve(d.tableFolder(), signals);
        }
        boolean relight = parseBoolean(v, "relight");
        if ((relight || v.containsKey("relight_strength")) && mode.equals("animate")) {
            throw new IllegalArgumentException("columns relight and relight_strength apply to mode replace only");
        }
        String character = v.containsKey("character") ? resolve(d.tableFolder(), v.get("character")) : null;
        String model = v.containsKey("model") ? v.get("model") : d.model();
        if (model != null && model.equalsIgnoreCase(JobSpec.DEMO_SIGNALS)) {
            model = null;
        } else if (model != null) {
            model = resolve(d.tableFolder(), model);
        }
        return new JobSpec(id, mode.equals("replace"), character, signals, output, model,
                v.getOrDefault("backend", d.backend()), v.getOrDefault("device", d.device()),
                v.getOrDefault("precision", d.precision()), parseInt(v, "steps"), v.get("solver"),
                parseDouble(v, "shift"), parseDouble(v, "guide_scale"), seed, parseInt(v, "clip_length"),
                parseInt(v, "refert"), parseDouble(v, "fps"), v.get("prompt"), v.get("negative_prompt"),
                relight, parseDouble(v, "relight_strength"));
    }

    /** The row's non-empty values as text, by column. */
    private static Map<String, String> values(Row row, String[] columns) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
            Object value = row.get(c);
            String text = value == null ? "" : value.toString().trim();
            if (!text.isEmpty()) {
                values.put(columns[c], text);
            }
        }
        return values;
    }

    /** {@code uri} as is when absolute (a scheme or a leading slash), else under {@code folder}. */
    static String resolve(String folder, String uri) {
        Path path = new Path(uri);
        return path.isAbsolute() || path.toUri().getScheme() != null ? path.toString()
                : new Path(folder, path).toString();
    }

    private static Integer parseInt(Map<String, String> v, String column) {
        String text = v.get(column);
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(stripIntegralZero(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " must be an integer, got '" + text + "'", e);
        }
    }

    private static long parseLong(Map<String, String> v, String column) {
        String text = v.get(column);
        try {
            return Long.parseLong(stripIntegralZero(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " must be an integer, got '" + text + "'", e);
        }
    }

    /** JSON and Parquet may hold integers as doubles ({@code 4.0}). */
    private static String stripIntegralZero(String text) {
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    private static Double parseDouble(Map<String, String> v, String column) {
        String text = v.get(column);
        if (text == null) {
            return null;
        }
        try {
            return Double.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " must be a number, got '" + text + "'", e);
        }
    }

    private static boolean parseBoolean(Map<String, String> v, String column) {
        String text = v.getOrDefault(column, "false").toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("column " + column + " must be true or false, got '"
                    + text + "'");
        };
    }
}
