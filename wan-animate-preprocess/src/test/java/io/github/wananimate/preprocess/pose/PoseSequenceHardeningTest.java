package io.github.wananimate.preprocess.pose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.reliability.Mutations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11: hostile {@code .wpose} headers are refused at open, naming the file and the field; fuzzed files too. */
class PoseSequenceHardeningTest {

    /** Header offsets (see {@link PoseSequenceWriter}): magic 8, version 4, frame count 4, fps 8, keypoints 4. */
    private static final int FRAME_COUNT_AT = 12;
    private static final int FPS_AT = 16;

    @TempDir
    Path dir;

    private byte[] valid() throws IOException {
        Path file = dir.resolve("valid.wpose");
        PoseSequenceTest.sample(4, 3).write(file);
        return Files.readAllBytes(file);
    }

    @Test
    void aHugeDeclaredFrameCountIsRefusedBeforeAllocating() throws IOException {
        byte[] b = valid();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(FRAME_COUNT_AT, Integer.MAX_VALUE);
        Path file = Files.write(dir.resolve("huge.wpose"), b);
        assertThatThrownBy(() -> PoseSequence.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("declares 2147483647 frames, but the file's " + b.length + " bytes hold at most");
    }

    @Test
    void fpsMustBeAPositiveNumber() throws IOException {
        for (double fps : new double[] {0, Double.NaN, -30, 1e9}) {
            byte[] b = valid();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putDouble(FPS_AT, fps);
            Path file = Files.write(dir.resolve("fps.wpose"), b);
            assertThatThrownBy(() -> PoseSequence.read(file)).isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("fps " + fps);
        }
        assertThatThrownBy(() -> PoseSequenceWriter.create(dir.resolve("w.wpose"), 0))
                .hasMessageContaining("fps must be in (0, 1000.0], got 0.0");
    }

    @Test
    void notARegularFileIsNamed() {
        assertThatThrownBy(() -> PoseSequence.read(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(dir + ": not a regular file");
    }

    @Test
    void fuzzedFilesLoadOrFailWithIOException() throws IOException {
        byte[] valid = valid();
        Path file = dir.resolve("mutant.wpose");
        Mutations.Outcomes o = Mutations.run("wpose", valid, 0, PoseSequenceWriter.HEADER_BYTES + 64, 800, 5, 5_000,
                input -> {
                    Files.write(file, input);
                    PoseSequence.read(file);
                }, IOException.class);
        assertThat(o.unexpected).withFailMessage("%s%s", o, o.failures).isZero();
        assertThat(o.counts).containsKey("IOException");
    }
}
