package io.github.wananimate.spark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of a batch: reads the job table, runs one Spark job per row (so that each row has its own job
 * group and description in the Spark UI, its own retries, and its own summary line when it finishes), and writes
 * the results table. A row that fails, even after Spark's retries, becomes a failed row of the results; it never
 * fails the batch.
 */
public final class BatchRender {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRender.class);
    /** The results table's folder under the output folder. */
    public static final String RESULTS_FOLDER = "results";

    /**
     * One batch.
     *
     * @param jobs the job table's URI
     * @param jobsFormat csv, json or parquet, or null to go by the extension
     * @param out the output folder's URI: rows without {@code output} write to {@code videos/<id>.mp4} in it, and the
     *     results table goes to {@code results/}
     * @param resultsFormat csv, json or parquet
     * @param rowsInFlight how many rows are submitted at once (≥ the cluster's task slots keeps them busy)
     * @param defaults the model, backend, device and precision rows inherit (the folders in it are filled in here)
     * @param preprocessing how rows whose signals are raw videos are preprocessed, or null when no pose models are
     *     given (such rows then fail)
     */
    public record Settings(String jobs, String jobsFormat, String out, String resultsFormat, int rowsInFlight,
            JobTable.Defaults defaults, Preprocessing preprocessing) {
    }

    private BatchRender() {
    }

    /**
     * Runs the batch on {@code spark}; prints one line per finished row to {@code log}.
     *
     * @return the results, in the job table's order (rows rejected while parsing first)
     * @throws IllegalArgumentException when the job table cannot be used at all (format, columns)
     */
    public static List<RenderResult> run(SparkSession spark, Settings settings, PrintStream log) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        String outFolder = qualified(settings.out(), hadoop);
        org.apache.hadoop.fs.Path table = new org.apache.hadoop.fs.Path(qualified(settings.jobs(), hadoop));
        JobTable.Defaults d = settings.defaults();
        JobTable.Parsed parsed = JobTable.parse(JobTable.read(spark, table.toString(), settings.jobsFormat()),
                new JobTable.Defaults(table.getParent().toString(), outFolder, d.model(), d.backend(), d.device(),
                        d.precision()));
        List<RenderResult> results = new ArrayList<>(parsed.rejected());
        parsed.rejected().forEach(r -> log.println(r.summary()));

        Map<String, String> entries = new HashMap<>();
        hadoop.forEach(e -> entries.put(e.getKey(), e.getValue()));
        Broadcast<Map<String, String>> conf = sc.broadcast(entries);
        String batch = sc.sc().applicationId() + "-" + System.currentTimeMillis();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, settings.rowsInFlight()), r -> {
            Thread t = new Thread(r, "wan-animate-row");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RenderResult>> pending = new ArrayList<>();
            for (JobSpec job : parsed.jobs()) {
                pending.add(pool.submit(() -> {
                    RenderResult r = runRow(sc, conf, batch, job, outFolder, settings.preprocessing());
                    synchronized (log) {
                        log.println(r.summary());
                    }
                    return r;
                }));
            }
            for (Future<RenderResult> f : pending) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sc.cancelAllJobs();
            throw new IllegalStateException("interrupted while rendering", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a row's driver thread failed", e.getCause());
        } finally {
            pool.shutdownNow();
            conf.destroy();
        }
        writeResults(spark, results, outFolder, settings.resultsFormat());
        return results;
    }

    /** The row's preprocessing job when its signals are a raw video, then its render job. */
    private static RenderResult runRow(JavaSparkContext sc, Broadcast<Map<String, String>> conf, String batch,
            JobSpec job, String outFolder, Preprocessing preprocessing) {
        JobSpec render = job;
        if (job.rawVideo()) {
            if (preprocessing == null) {
                return RenderResult.failed(job.id(), job.output(), job.seed(), job.device(), new IllegalArgumentException(
                        "signals " + job.signals() + " is a video: pass --pose-models <process_checkpoint folder> to "
                                + "preprocess it, or give an official preprocess folder"));
            }
            String folder = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(outFolder,
                    RowPreprocessor.FOLDER), job.id()).toString();
            RenderResult pre = runJob(sc, batch, job, "preprocess", folder,
                    j -> RowPreprocessor.preprocess(j, folder, preprocessing, conf.value()));
            if (pre.status().equals(RenderResult.FAILED)) {
                return pre;
            }
            render = job.withSignals(pre.output());
        }
        return runJob(sc, batch, render, render.mode(), render.output(), j -> RowRenderer.render(j, conf.value()));
    }

    /**
     * One Spark job of one task running {@code task} on {@code job}, under the row's job group; a job that fails
     * after Spark's retries becomes a failed row.
     */
    private static RenderResult runJob(JavaSparkContext sc, String batch, JobSpec job, String stage, String target,
            Function<JobSpec, RenderResult> task) {
        sc.setJobGroup(batch + "/" + job.id(), "wan-animate " + stage + " " + job.id() + " -> " + target, true);
        try {
            return sc.parallelize(List.of(job), 1).map(task).collect().get(0);
        } catch (RuntimeException e) {
            // the task's own exception when Spark kept it, else Spark's "Job aborted" with the reason in its message
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.warn("row {} failed after Spark's retries", job.id(), e);
            return RenderResult.failed(job.id(), job.output(), job.seed(), job.device(), cause);
        } finally {
            sc.clearJobGroup();
        }
    }

    private static void writeResults(SparkSession spark, List<RenderResult> results, String outFolder,
            String format) {
        String target = new org.apache.hadoop.fs.Path(outFolder, RESULTS_FOLDER).toString();
        spark.createDataFrame(RenderResult.toRows(results), RenderResult.SCHEMA).coalesce(1).write()
                .mode(SaveMode.Overwrite).option("header", "true").format(Objects.requireNonNull(format)).save(target);
        LOG.info("results table written to {}", target);
    }

    /** {@code uri} with its file system's scheme (a bare path is on the default file system). */
    static String qualified(String uri, Configuration conf) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
        try {
            return path.getFileSystem(conf).makeQualified(path).toString();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no file system for " + uri + ": " + e.getMessage(), e);
        }
    }
}
