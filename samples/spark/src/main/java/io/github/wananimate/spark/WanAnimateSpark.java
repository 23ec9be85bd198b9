package io.github.wananimate.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wan-animate-spark}: renders a job table on Apache Spark. Started with {@code java -jar} it runs Spark
 * in-process ({@value #EMBEDDED_MASTER}); under {@code spark-submit} it uses the cluster the submit names.
 */
@Command(name = "wan-animate-spark", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Renders one video per row of a job table on Apache Spark and writes a results table.",
                "",
                "With no arguments: the bundled demo table (4 rows on the demo weights and the bundled sample), "
                        + "in-process Spark, outputs under spark-out/:",
                "  java -jar wan-animate-spark.jar",
                "  java -jar wan-animate-spark.jar --jobs jobs.csv --out results/ --model-dir /models/Wan2.2-Animate-14B",
                "Job table columns (id and signals required): id, mode, character, signals, output, model, backend, "
                        + "device, precision, steps, solver, shift, guide_scale, seed, clip_length, refert, fps, "
                        + "prompt, negative_prompt, relight, relight_strength",
                ""})
public final class WanAnimateSpark implements Callable<Integer> {

    /** Local mode on every core, each task tried twice (local mode retries nothing unless told). */
    public static final String EMBEDDED_MASTER = "local[*,2]";
    /** The bundled demo job table (a class-path resource). */
    static final String DEMO_TABLE = "/demo-jobs.csv";

    @Option(names = "--jobs", paramLabel = "<uri>", description = "job table: .csv (header), .json/.jsonl (JSON "
            + "lines) or .parquet, on any Hadoop file system (default: the bundled demo table)")
    String jobs;

    @Option(names = "--jobs-format", description = "csv, json or parquet (default: from the extension)")
    String jobsFormat;

    @Option(names = "--out", paramLabel = "<uri>", defaultValue = "spark-out", description = "output folder: videos/<id>"
            + ".mp4 for rows without an output column, and the results table in results/ (default ${DEFAULT-VALUE})")
    String out;

    @Option(names = "--results-format", defaultValue = "csv", description = "csv, json or parquet (default "
            + "${DEFAULT-VALUE})")
    String resultsFormat;

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "the Wan2.2-Animate-14B folder, local on every "
            + "executor (default: the demo weights; a row's model column overrides)")
    String modelDir;

    @Option(names = "--backend", description = "djl or onnx (default: the best available; a row's backend column "
            + "overrides)")
    String backend;

    @Option(names = "--device", description = "cpu, cuda or cuda:N for every row (default: the GPU Spark assigns to "
            + "the task, else cpu)")
    String device;

    @Option(names = "--precision", description = "conditioning precision, fp32 or bf16 (default: bf16 for a model "
            + "folder, fp32 for the demo weights)")
    String precision;

    @Option(names = "--pose-models", paramLabel = "<dir>", description = "the process_checkpoint folder (det/, "
            + "pose2d/), local on every executor: rows whose signals is a video (.mp4, .mov, .mkv, .avi, .webm) are "
            + "preprocessed into <out>/preprocessed/<id>/ first (needs the character column)")
    String poseModels;

    @Option(names = "--preprocess-fps", paramLabel = "<fps>", description = "with --pose-models: preprocessing frame "
            + "rate, -1 keeps the video's (default 30, as the original)")
    Double preprocessFps;

    @Option(names = "--preprocess-area", paramLabel = "<pixels>", description = "with --pose-models: pixel area of "
            + "the generation size (default 921600 = 1280*720, as the original)")
    Long preprocessArea;

    @Option(names = "--master", description = "Spark master when not started by spark-submit (default "
            + EMBEDDED_MASTER + ")")
    String master;

    @Option(names = "--rows-in-flight", defaultValue = "0", description = "rows submitted at once (default 0: "
            + "Spark's default parallelism, i.e. the task slots)")
    int rowsInFlight;

    @Override
    public Integer call() throws IOException {
        PrintStream log = System.out;
        SparkConf conf = new SparkConf().setAppName("wan-animate-spark");
        boolean embedded = !conf.contains("spark.master");
        if (embedded) {
            conf.setMaster(master != null ? master : EMBEDDED_MASTER);
            // in-process, Spark's INFO lines would bury the one line per row; a cluster keeps its own settings
            conf.setIfMissing("spark.log.level", "WARN");
        }
        Path extracted = jobs == null ? extractDemoTable() : null;
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            int inFlight = rowsInFlight > 0 ? rowsInFlight : spark.sparkContext().defaultParallelism();
            log.printf(Locale.ROOT, "Spark %s, master %s, %d row(s) in flight; jobs %s%n", spark.version(),
                    spark.sparkContext().master(), inFlight, jobs != null ? jobs : "the bundled demo table");
            BatchRender.Settings settings = new BatchRender.Settings(
                    jobs != null ? jobs : extracted.toUri().toString(), jobsFormat, out, resultsFormat, inFlight,
                    new JobTable.Defaults(null, null, modelDir, backend, device, precision), preprocessing());
            List<RenderResult> results = BatchRender.run(spark, settings, log);
            long ok = results.stream().filter(r -> r.status().equals(RenderResult.OK)).count();
            long skipped = results.stream().filter(r -> r.status().equals(RenderResult.SKIPPED)).count();
            log.printf(Locale.ROOT, "%d row(s): %d ok, %d skipped (already complete), %d failed; results table in "
                    + "%s/%s%n", results.size(), ok, skipped, results.size() - ok - skipped, out,
                    BatchRender.RESULTS_FOLDER);
            return 0;
        } finally {
            spark.stop();
            if (extracted != null) {
                Files.deleteIfExists(extracted);
            }
        }
    }

    private Preprocessing preprocessing() {
        if (poseModels == null) {
            if (preprocessFps != null || preprocessArea != null) {
                throw new IllegalArgumentException("--preprocess-fps and --preprocess-area need --pose-models");
            }
            return null;
        }
        Preprocessing d = Preprocessing.defaults(poseModels);
        return new Preprocessing(poseModels, preprocessFps != null ? preprocessFps : d.fps(),
                preprocessArea != null ? preprocessArea : d.area());
    }

    private static Path extractDemoTable() throws IOException {
        Path file = Files.createTempFile("wan-animate-demo-jobs-", ".csv");
        try (InputStream in = WanAnimateSpark.class.getResourceAsStream(DEMO_TABLE)) {
            if (in == null) {
                throw new IOException("resource missing from the jar: " + DEMO_TABLE);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    public static void main(String[] args) {
        // what spark-submit's launcher passes besides the add-opens of the manifest
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        CommandLine cli = new CommandLine(new WanAnimateSpark());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("wan-animate-spark: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 1 : 2;
        });
        System.exit(cli.execute(args));
    }
}
