package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.GenerationCancelledException;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.weights.HostilePickles;
import io.github.wananimate.weights.TestCheckpoints;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/**
 * Issue 11 through the command line: each hostile or careless input gets its documented exit code and a message
 * naming the file or option, before any model is loaded where the input allows.
 */
class ReliabilityCliTest extends CliTestSupport {

    @TempDir
    Path dir;

    private static String line(String text, String start) {
        return Arrays.stream(text.split("\n")).filter(l -> l.startsWith(start)).findFirst().orElse("");
    }

    // 1, 2: hostile pickles

    @Test
    void pickleBombAndDeepNestingUnderInspectExit3NamingTheFile() throws Exception {
        Path bomb = HostilePickles.checkpoint(dir.resolve("Wan2.1_VAE.pth"), HostilePickles.tupleHashBomb(64));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(run("inspect", dir.toString()))
                .isEqualTo(ExitCodes.FILE_PROBLEM));
        assertThat(line(out.toString(), "VAE ")).contains("UNREADABLE", bomb.toString(), "nested items");

        out.getBuffer().setLength(0);
        HostilePickles.checkpoint(bomb, HostilePickles.nestedDicts(100_000));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(run("inspect", dir.toString()))
                .isEqualTo(ExitCodes.FILE_PROBLEM));
        assertThat(line(out.toString(), "VAE ")).contains("UNREADABLE", bomb.toString(), "deeper than 100 levels");
        assertThat(err.toString()).doesNotContain("StackOverflowError");
    }

    // 3: huge numbers

    @Test
    void hugeCountsAreRefusedBeforeAnyModelIsBuilt() {
        assertThat(run("animate", "--clip-length", "2147483645", "--steps", "2000000000", "-o",
                dir.resolve("x.mp4").toString())).isEqualTo(ExitCodes.VALIDATION_FAILED);
        assertThat(err.toString()).contains("clipLength = 2147483645: must be at most 1001")
                .contains("steps = 2000000000: must be in 1..1000");
        assertThat(out.toString()).doesNotContain("Models:");
    }

    @Test
    void anOverflowingConfigDimIsNamedAndExits3UnderInspectAndAnimate() throws Exception {
        TestCheckpoints.writeSparseShardedDit(dir, new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B).parameters(), 4);
        Files.writeString(dir.resolve("config.json"), DiTConfig.WAN_ANIMATE_14B.toJson().toString()
                .replace("\"dim\":5120", "\"dim\":1000000000000"));
        assertThat(run("inspect", dir.toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(line(out.toString(), "DiT config")).contains("UNREADABLE",
                "dim is 1000000000000, expected an integer in 1..65536");
        assertThat(run("animate", "--backend", "onnx", "--model-dir", dir.toString(), "-o",
                dir.resolve("x.mp4").toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains(dir.resolve("config.json").toString())
                .contains("dim is 1000000000000");
    }

    // 4: SIGTERM

    @Test
    void sigtermCancelsLikeCtrlCAndExits143() throws Exception {
        CancellationToken token = new CancellationToken();
        StringWriter said = new StringWriter();
        Interrupts interrupts = Interrupts.cancelling(token, new PrintWriter(said, true));
        try {
            Signal.raise(new Signal("TERM"));
            for (int i = 0; i < 500 && !token.isCancelled(); i++) {
                Thread.sleep(10);
            }
        } finally {
            interrupts.restore();
        }
        assertThat(token.isCancelled()).isTrue();
        assertThat(said.toString()).contains("SIGTERM: cancelling after the current step, removing the unfinished");
        assertThat(ExitCodes.of(new GenerationCancelledException("terminated (SIGTERM)")))
                .isEqualTo(ExitCodes.TERMINATED).isEqualTo(143);
        Interrupts.cancelling(new CancellationToken(), new PrintWriter(new StringWriter())).restore();
        assertThat(ExitCodes.of(new GenerationCancelledException("x"))).isEqualTo(ExitCodes.CANCELLED);
    }

    // 5: the output is checked first

    @Test
    void anOutputThatCannotBeWrittenFailsBeforeTheModelsLoad() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("existing"));
        assertThat(run("animate", "-o", folder.toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("-o/--output " + folder).contains("is a directory");
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        assertThat(run("animate", "-o", file.resolve("out.mp4").toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("cannot write " + file.resolve("out.mp4"));
        assertThat(run("animate", "--preview", folder.toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("--preview " + folder);
        assertThat(out.toString()).doesNotContain("Models:");
    }

    // 6: unclear answers

    @Test
    void aConfigThatIsNotAFileIsNamedAsSuchNotAsMissing() throws Exception {
        Path config = dir.resolve("config.json");
        Files.createDirectories(config);
        run("inspect", dir.toString());
        assertThat(line(out.toString(), "DiT config")).contains("UNREADABLE", "a directory, not a file");
        Files.delete(config);
        out.getBuffer().setLength(0);
        Files.createSymbolicLink(config, Path.of("/dev/zero"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> run("inspect", dir.toString()));
        assertThat(line(out.toString(), "DiT config")).contains("UNREADABLE", "not a regular file");
        Files.delete(config);
        out.getBuffer().setLength(0);
        Process mkfifo = new ProcessBuilder("mkfifo", config.toString()).start();
        if (mkfifo.waitFor() == 0) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> run("inspect", dir.toString()));
            assertThat(line(out.toString(), "DiT config")).contains("UNREADABLE", "FIFO");
        }
    }

    @Test
    void inspectLoadsTheTokenizerBeforeCallingItFound() throws Exception {
        Path json = Files.createDirectories(dir.resolve("google/umt5-xxl")).resolve("tokenizer.json");
        Files.writeString(json, "{\"model\": {\"type\": \"Unigram\", \"vocab\": \"oops\", \"unk_id\": 0}}");
        run("inspect", dir.toString());
        assertThat(line(out.toString(), "umT5 tokenizer")).contains("UNREADABLE", json.toString(), "model.vocab");
    }

    @Test
    void posePreviewHeightIsBoundedAndNamed() {
        assertThat(run("pose-preview", "--height", "200000", "-o", dir.resolve("p.png").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--height must be in 16..4096, got 200000");
    }

    // 7: LoRA alpha on the command line

    @Test
    void relightAlphaMustBePositive() {
        assertThat(run("replace", "--relight", "--relight-alpha", "0", "-o", dir.resolve("r.mp4").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--relight-alpha must be a finite number > 0, got 0.0");
    }
}
