package io.github.wananimate.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.TestMedia;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import io.github.wananimate.preprocess.pose.StandInModels;
import io.github.wananimate.preprocess.video.VideoReader;
import io.github.wananimate.samples.Demo;
import io.github.wananimate.samples.ProcessCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole batch in local mode with 2 task slots: 4 demo rows (animate and replace, one with the Relighting LoRA,
 * one whose first attempt fails after uploading its temporary file) and 1 row whose signals folder is missing; then
 * the same table again.
 */
class BatchRenderLocalModeTest {

    private static final String RETRIED = "animate-unipc";
    private static SparkSession spark;
    private static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2,2]").appName("wan-animate-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    FAILED_TASKS.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void rendersEveryGoodRowOnceRecordsTheBadOneAndResumes() throws Exception {
        Path jobs = dir.resolve("jobs.csv");
        Files.writeString(jobs, String.join("\n",
                "id,mode,signals,solver,seed,relight,output",
                "animate,animate,demo,,,,",
                RETRIED + ",animate,demo,unipc,7,,",
                "replace,replace,demo,,,,",
                "replace-relight,replace,demo,,,true,",
                "missing-signals,animate,no-such-folder,,,,elsewhere/missing.mp4", ""));
        Path out = dir.resolve("out");
        BatchRender.Settings settings = new BatchRender.Settings(jobs.toString(), null, out.toString(), "csv", 4,
                new JobTable.Defaults(null, null, null, "onnx", null, null), null);
        System.setProperty(RowRenderer.FAIL_ONCE_PROPERTY, RETRIED);
        List<RenderResult> first;
        String log;
        try {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            first = BatchRender.run(spark, settings, new PrintStream(printed, true, StandardCharsets.UTF_8));
            log = printed.toString(StandardCharsets.UTF_8);
        } finally {
            System.clearProperty(RowRenderer.FAIL_ONCE_PROPERTY);
        }

        Map<String, RenderResult> byId = first.stream().collect(Collectors.toMap(RenderResult::id, Function.identity()));
        assertThat(byId.keySet()).containsExactlyInAnyOrder("animate", RETRIED, "replace", "replace-relight",
                "missing-signals");
        MotionSignals demo = Demo.signals(false);
        for (String id : List.of("animate", RETRIED, "replace", "replace-relight")) {
            RenderResult r = byId.get(id);
            assertThat(r.status()).as(id + ": " + r).isEqualTo(RenderResult.OK);
            assertThat(r.frames()).isEqualTo(demo.frameCount());
            assertThat(r.fps()).isEqualTo(demo.fps());
            assertThat(r.backend()).isEqualTo("onnx");
            assertThat(r.device()).isEqualTo("cpu");
            Path video = out.resolve("videos").resolve(id + ".mp4");
            assertThat(r.output()).isEqualTo(video.toUri().toString().replace("file:///", "file:/"));
            assertVideo(video, demo.frameCount(), demo.fps(), demo.width(), demo.height());
        }
        assertThat(byId.get(RETRIED).seed()).isEqualTo(7);
        assertThat(byId.get("animate").seed()).isEqualTo(JobSpec.seedFor("animate"));
        RenderResult bad = byId.get("missing-signals");
        assertThat(bad.status()).isEqualTo(RenderResult.FAILED);
        assertThat(bad.errorClass()).isEqualTo("java.io.FileNotFoundException");
        assertThat(bad.errorMessage()).contains("signals folder not found").contains("no-such-folder");
        assertThat(log).contains("failed  missing-signals").contains("ok      replace-relight");

        // the hook failed the retried row's first attempt once; Spark ran it again; one video, no temporary files
        waitForListener(() -> FAILED_TASKS.get() >= 1);
        assertThat(FAILED_TASKS.get()).isEqualTo(1);
        Map<String, FileTime> written = files(out.resolve("videos"));
        assertThat(written.keySet()).containsExactlyInAnyOrder("animate.mp4", RETRIED + ".mp4", "replace.mp4",
                "replace-relight.mp4", ".animate.mp4.done", "." + RETRIED + ".mp4.done", ".replace.mp4.done",
                ".replace-relight.mp4.done");
        assertThat(out.resolve("elsewhere")).doesNotExist();

        List<Row> table = spark.read().option("header", "true").csv(out.resolve(BatchRender.RESULTS_FOLDER).toString())
                .collectAsList();
        assertThat(table).hasSize(5);
        assertThat(table.stream().filter(row -> row.getAs("status").equals(RenderResult.OK))).hasSize(4);
        Row failed = table.stream().filter(row -> row.getAs("status").equals(RenderResult.FAILED)).findFirst()
                .orElseThrow();
        assertThat((String) failed.getAs("id")).isEqualTo("missing-signals");
        assertThat((String) failed.getAs("error_message")).contains("no-such-folder");

        // a second run finds every video complete: nothing is written, the bad row fails again
        List<RenderResult> second = BatchRender.run(spark, settings, new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8));
        assertThat(second.stream().filter(r -> r.status().equals(RenderResult.SKIPPED))).hasSize(4);
        assertThat(second.stream().filter(r -> r.status().equals(RenderResult.FAILED)).map(RenderResult::id))
                .containsExactly("missing-signals");
        second.stream().filter(r -> r.status().equals(RenderResult.SKIPPED))
                .forEach(r -> assertThat(r.frames()).isEqualTo(demo.frameCount()));
        assertThat(files(out.resolve("videos"))).isEqualTo(written);
    }

    @Test
    void preprocessesARawVideoFirstAndReusesItsFolder() throws Exception {
        Path models = dir.resolve("process_checkpoint");
        StandInModels.writeDetector(models.resolve(ProcessCheckpoint.DETECTOR));
        StandInModels.writePoseModel(models.resolve(ProcessCheckpoint.POSE_MODEL));
        Path jobs = dir.resolve("raw.jsonl");
        Files.writeString(jobs, String.join("\n",
                "{\"id\": \"raw\", \"signals\": \"" + TestMedia.animateVideo() + "\", \"character\": \""
                        + TestMedia.animateImage() + "\", \"clip_length\": 5, \"steps\": 2}",
                "{\"id\": \"no-character\", \"signals\": \"" + TestMedia.animateVideo() + "\"}", ""));
        Path out = dir.resolve("out");
        int frames = (int) (106 / 30.0 * 2);   // the example video: 106 frames at 30 fps, preprocessed at 2 fps
        BatchRender.Settings settings = new BatchRender.Settings(jobs.toString(), null, out.toString(), "json", 2,
                new JobTable.Defaults(null, null, null, "onnx", null, null),
                new Preprocessing(models.toString(), 2, 64L * 64));

        List<RenderResult> first = BatchRender.run(spark, settings, new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8));

        Map<String, RenderResult> byId = first.stream().collect(Collectors.toMap(RenderResult::id, Function.identity()));
        RenderResult raw = byId.get("raw");
        assertThat(raw.status()).as(raw.toString()).isEqualTo(RenderResult.OK);
        assertThat(raw.frames()).isEqualTo(frames);
        assertThat(raw.fps()).isEqualTo(2.0);
        Path folder = out.resolve(RowPreprocessor.FOLDER).resolve("raw");
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.frameCount()).isEqualTo(frames);
        assertVideo(out.resolve("videos/raw.mp4"), frames, 2.0, signals.width(), signals.height());
        RenderResult noCharacter = byId.get("no-character");
        assertThat(noCharacter.status()).isEqualTo(RenderResult.FAILED);
        assertThat(noCharacter.errorMessage()).contains("needs the character image");
        Map<String, FileTime> preprocessed = files(out.resolve(RowPreprocessor.FOLDER));
        assertThat(preprocessed.keySet()).containsExactly(".raw.done", "raw");
        Map<String, FileTime> folderFiles = files(folder);

        List<RenderResult> second = BatchRender.run(spark, settings, new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8));
        assertThat(second.stream().filter(r -> r.id().equals("raw")).findFirst().orElseThrow().status())
                .isEqualTo(RenderResult.SKIPPED);
        assertThat(files(out.resolve(RowPreprocessor.FOLDER))).isEqualTo(preprocessed);
        assertThat(files(folder)).isEqualTo(folderFiles);
    }

    private static void assertVideo(Path video, int frames, double fps, int width, int height) {
        try (VideoReader reader = VideoReader.openAllFrames(video)) {
            int decoded = 0;
            while (reader.hasNext()) {
                reader.next();
                decoded++;
            }
            assertThat(decoded).as(video.toString()).isEqualTo(frames);
            assertThat(reader.fps()).isCloseTo(fps, org.assertj.core.data.Offset.offset(1e-3));
            assertThat(reader.width()).isEqualTo(width);
            assertThat(reader.height()).isEqualTo(height);
        }
    }

    /** Every file in {@code folder} (hidden ones too) with its modification time. */
    private static Map<String, FileTime> files(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            Map<String, FileTime> files = new TreeMap<>();
            for (Path p : list.toList()) {
                files.put(p.getFileName().toString(), Files.getLastModifiedTime(p));
            }
            return files;
        }
    }

    /** Listener events arrive asynchronously; waits up to 10 s for {@code condition}. */
    private static void waitForListener(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 100 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
    }
}
