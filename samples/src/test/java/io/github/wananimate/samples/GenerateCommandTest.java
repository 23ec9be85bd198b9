package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code animate}, {@code replace} and {@code preprocess} on the demo weights and the bundled sample (ONNX Runtime). */
class GenerateCommandTest extends CliTestSupport {

    @TempDir
    Path dir;

    @Test
    void demoAnimationWritesTheVideoAndAPreviewSheet() throws Exception {
        Path video = dir.resolve("demo.mp4");
        Path preview = dir.resolve("sheet.png");
        // one clip of 13 frames and one step keep the test short; the default demo runs 2 clips of 9, 4 steps
        int code = run("animate", "--backend", "onnx", "--steps", "1", "--clip-length", "13", "--seed", "3", "-o",
                video.toString(), "--preview", preview.toString(), "--preview-frame", "4");
        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("output is abstract").contains("13 frames of 112x64").contains("seed 3")
                .contains("100%");
        assertThat(Files.size(video)).isPositive();
        BufferedImage sheet = ImageIO.read(preview.toFile());
        // character 448x252 → 455, driving 224x126 → 455, pose and output 112x64 → 448, all at height 256
        assertThat(sheet.getWidth()).isEqualTo(5 * PreviewSheet.MARGIN + 455 + 455 + 448 + 448);
        assertThat(sheet.getHeight()).isEqualTo(2 * PreviewSheet.MARGIN + PreviewSheet.CAPTION + 256);
    }

    @Test
    void demoAnimationRunsInBf16() throws Exception {
        Path video = dir.resolve("bf16.mp4");
        int code = run("animate", "--backend", "onnx", "--precision", "bf16", "--steps", "1", "--clip-length", "13",
                "--seed", "3", "-o", video.toString());
        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("precision bf16").contains("13 frames of 112x64");
        assertThat(Files.size(video)).isPositive();
    }

    @Test
    void preprocessWritesTheOfficialFolderLayout() throws Exception {
        Path folder = dir.resolve("sample");
        assertThat(run("preprocess", "--demo", "--replace", "-o", folder.toString())).as(err.toString()).isZero();
        assertThat(folder.resolve("src_pose.mp4")).isRegularFile();
        assertThat(folder.resolve("src_face.mp4")).isRegularFile();
        assertThat(folder.resolve("src_ref.png")).isRegularFile();
        assertThat(folder.resolve("src_bg.mp4")).isRegularFile();
        assertThat(folder.resolve("src_mask.mp4")).isRegularFile();
        MotionSignals read = new PreprocessFolderReader().read(folder);
        assertThat(read.frameCount()).isEqualTo(13);
        assertThat(read.width()).isEqualTo(112);
        assertThat(read.supportsReplacement()).isTrue();
    }

    @Test
    void failuresMapToTheirExitCodes() {
        assertThat(run("animate", "--refert", "3")).isEqualTo(ExitCodes.VALIDATION_FAILED);
        assertThat(err.toString()).contains("continuationFrames = 3: must be 1 or 5");
        assertThat(run("animate", "--preview", dir.resolve("p.png").toString(), "--preview-frame", "13"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("animate", "--backend", "tpu")).isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
        assertThat(run("animate", "--backend", "onnx", "--model-dir", dir.resolve("missing").toString()))
                .isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("model folder not found");
        assertThat(run("animate", "-i", dir.resolve("no-folder").toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(run("animate", "--steps")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("animate", "--precision", "int4")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("animate", "--precision", "fp8")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--precision fp8 needs --model-dir with a float8 DiT checkpoint");
    }

    @Test
    void fp8PrecisionRefusesADiTThatIsNotFloat8NamingTheFile() throws Exception {
        Path folder = java.nio.file.Files.createDirectories(dir.resolve("bf16-model"));
        Path dit = folder.resolve("wan2.2_animate_14B_bf16.safetensors");
        io.github.wananimate.weights.SafetensorsWriter.write(dit, java.util.Map.of("patch_embedding.weight",
                io.github.wananimate.tensor.HostTensor.of(io.github.wananimate.tensor.DType.BF16, new long[] {2},
                        java.nio.ByteBuffer.allocate(4))), java.util.Map.of());
        assertThat(run("animate", "--backend", "onnx", "--model-dir", folder.toString(), "--precision", "fp8"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--precision fp8 needs a float8 DiT checkpoint; " + dit)
                .contains("[BF16]");
        assertThat(run("preprocess", "-o", dir.toString())).isEqualTo(ExitCodes.USAGE);
    }
}
