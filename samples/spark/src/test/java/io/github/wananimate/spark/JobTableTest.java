package io.github.wananimate.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class JobTableTest {

    private static final JobTable.Defaults DEFAULTS = new JobTable.Defaults("file:/data/tables", "hdfs://nn/out",
            null, "onnx", null, null);

    @Test
    void resolvesRelativePathsAndFillsDefaults() {
        JobTable.Parsed parsed = JobTable.parse(new String[] {"id", "mode", "signals", "character", "steps", "seed",
            "output", "backend", "relight"}, List.of(
                RowFactory.create("a", "replace", "pre/a", "/chars/a.png", "8", null, null, null, "true"),
                RowFactory.create("b", null, "DEMO", null, 4L, 11.0, "s3a://bucket/b.mp4", "djl", null)), DEFAULTS);
        assertThat(parsed.rejected()).isEmpty();
        JobSpec a = parsed.jobs().get(0);
        assertThat(a.replacement()).isTrue();
        assertThat(a.relight()).isTrue();
        assertThat(a.signals()).isEqualTo("file:/data/tables/pre/a");
        assertThat(a.character()).isEqualTo("/chars/a.png");
        assertThat(a.output()).isEqualTo("hdfs://nn/out/videos/a.mp4");
        assertThat(a.steps()).isEqualTo(8);
        assertThat(a.seed()).isEqualTo(JobSpec.seedFor("a"));
        assertThat(a.backend()).isEqualTo("onnx");
        assertThat(a.model()).isNull();
        JobSpec b = parsed.jobs().get(1);
        assertThat(b.replacement()).isFalse();
        assertThat(b.demoSignals()).isTrue();
        assertThat(b.steps()).isEqualTo(4);
        assertThat(b.seed()).isEqualTo(11);
        assertThat(b.output()).isEqualTo("s3a://bucket/b.mp4");
        assertThat(b.backend()).isEqualTo("djl");
    }

    @Test
    void aBadValueRejectsOnlyItsRowNamingTheColumn() {
        JobTable.Parsed parsed = JobTable.parse(new String[] {"id", "mode", "signals", "steps", "relight"}, List.of(
                RowFactory.create("ok", "animate", "demo", "4", null),
                RowFactory.create("steps", "animate", "demo", "four", null),
                RowFactory.create("ok", "animate", "demo", null, null),
                RowFactory.create("mode", "dance", "demo", null, null),
                RowFactory.create("lora", "animate", "demo", null, "true"),
                RowFactory.create(null, "animate", "demo", null, null)), DEFAULTS);
        assertThat(parsed.jobs()).extracting(JobSpec::id).containsExactly("ok");
        assertThat(parsed.rejected()).extracting(RenderResult::id).containsExactly("steps", "ok", "mode", "lora",
                "row 6");
        assertThat(parsed.rejected()).allMatch(r -> r.status().equals(RenderResult.FAILED)
                && r.errorClass().equals(IllegalArgumentException.class.getName()));
        assertThat(parsed.rejected()).extracting(RenderResult::errorMessage).containsExactly(
                "column steps must be an integer, got 'four'", "duplicate id 'ok' (row 3)",
                "column mode must be animate or replace, got 'dance'",
                "columns relight and relight_strength apply to mode replace only", "row 6 has no id");
    }

    @Test
    void anUnknownOrMissingColumnRejectsTheTable() {
        assertThatThrownBy(() -> JobTable.parse(new String[] {"id", "mode", "stpes"}, List.<Row>of(), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown [stpes]")
                .hasMessageContaining("missing [signals]");
    }

    @Test
    void formatFromTheExtension() {
        assertThat(JobTable.formatOf("s3a://b/jobs.CSV")).isEqualTo("csv");
        assertThat(JobTable.formatOf("jobs.jsonl")).isEqualTo("json");
        assertThat(JobTable.formatOf("hdfs:///t/jobs.parquet")).isEqualTo("parquet");
        assertThatThrownBy(() -> JobTable.formatOf("jobs.txt")).hasMessageContaining("--jobs-format");
    }
}
