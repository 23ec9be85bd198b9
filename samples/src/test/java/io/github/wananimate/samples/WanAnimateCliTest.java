package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.parity.GoldenFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class WanAnimateCliTest extends CliTestSupport {

    @Test
    void parityPassExitsZeroAndPrintsTheTable() {
        int code = run("parity", GoldenFixtures.fixture("procedural_check").toString(), "--backend", "onnx");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("blocks.0.norm3.weight").contains("PASS");
    }

    @Test
    void aboveToleranceExitsOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fixture.json"), """
                {"component": "procedural_check", "seed": 0, "weights": [["blocks.0.ffn.0.bias", [2]]],
                 "tolerance": {"max_abs_over_peak": 0.0}}""");
        writeSafetensors(dir.resolve("outputs.safetensors"), "blocks.0.ffn.0.bias", new float[] {0.5f, -0.5f});
        int code = run("parity", dir.toString(), "--backend", "onnx");
        assertThat(code).as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("blocks.0.ffn.0.bias").contains("FAIL");
    }

    @Test
    void usageFileAndBackendProblemsHaveTheirOwnExitCodes(@TempDir Path dir) {
        assertThat(run("parity")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("parity", "x", "--backend", "onnx", "--no-such-option")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("parity", dir.toString(), "--backend", "onnx")).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("fixture.json");
        assertThat(run("parity", GoldenFixtures.fixture("procedural_check").toString(), "--backend", "tpu"))
                .isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
        assertThat(err.toString()).contains("no backend named 'tpu'");
    }

    @Test
    void helpListsTheCommandsAndEndsWithTheExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("inspect", "parity", "bench", "Exit codes:", "130  cancelled");
        StringWriter sub = new StringWriter();
        CommandLine cli = WanAnimateCli.commandLine();
        cli.setOut(new PrintWriter(sub, true));
        assertThat(cli.execute("inspect", "--help")).isZero();
        assertThat(sub.toString()).contains("<model-dir>", "4    backend not on the classpath");
    }

    @Test
    void exitCodesFollowTheCauseChain() {
        assertThat(ExitCodes.of(new RuntimeException(new java.io.IOException("x")))).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(ExitCodes.of(new io.github.wananimate.api.GenerationCancelledException("stop")))
                .isEqualTo(ExitCodes.CANCELLED);
        assertThat(ExitCodes.of(new IllegalArgumentException("bad"))).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void loraBenchNeedsNoBackendAndPrintsItsRow() {
        int code = run("bench", "--network", "lora", "--lora-shape", "6x10x3", "--lora-dtype", "f16",
                "--iterations", "1", "--warmup", "0");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("lora merge 6x10 r3 f16").contains("host/cpu");
        assertThat(run("bench", "--network", "lora", "--lora-shape", "6x10")).isEqualTo(2);
        assertThat(err.toString()).contains("--lora-shape must be OUTxINxRANK");
    }

    private static void writeSafetensors(Path file, String key, float[] values) throws Exception {
        String header = "{\"" + key + "\":{\"dtype\":\"F32\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
                + values.length * 4 + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (float v : values) {
            buf.putFloat(v);
        }
        Files.write(file, buf.array());
    }
}
