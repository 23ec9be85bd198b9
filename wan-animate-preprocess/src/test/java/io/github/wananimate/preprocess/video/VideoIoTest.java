package io.github.wananimate.preprocess.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.preprocess.TestMedia;
import io.github.wananimate.preprocess.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoIoTest {

    @TempDir
    Path dir;

    @Test
    void probeReportsTheExampleVideo() {
        VideoInfo info = VideoReader.probe(TestMedia.animateVideo());
        System.out.println("animate example: " + info);
        System.out.println("replace example: " + VideoReader.probe(TestMedia.replaceVideo()));
        assertThat(info.width()).isPositive();
        assertThat(info.packetCount()).isPositive();
        assertThat(info.averageFps()).isBetween(1.0, 240.0);
        assertThat(info.durationSeconds()).isCloseTo(info.packetCount() / info.averageFps(),
                org.assertj.core.data.Offset.offset(2.0 / info.averageFps()));
    }

    @Test
    void readerYieldsTheResampledFrameCountAtTheRequestedFps() {
        try (VideoReader reader = VideoReader.open(TestMedia.animateVideo(), 30)) {
            VideoInfo info = reader.info();
            int expected = FrameSampling.targetFrameCount(info.frameCount(), info.averageFps(), 30);
            assertThat(reader.frameCount()).isEqualTo(expected);
            assertThat(reader.fps()).isEqualTo(30.0);
            int n = 0;
            while (reader.hasNext()) {
                RgbImage frame = reader.next();
                assertThat(frame.width()).isEqualTo(info.width());
                assertThat(frame.height()).isEqualTo(info.height());
                n++;
            }
            assertThat(n).isEqualTo(expected);
        }
    }

    @Test
    void writtenVideoReadsBackWithTheSameFramesApproximately() {
        Path out = dir.resolve("roundtrip.mp4");
        List<RgbImage> written = new ArrayList<>();
        try (VideoWriter writer = VideoWriter.create(out, 64, 48, 30)) {
            for (int t = 0; t < 10; t++) {
                RgbImage frame = RgbImage.black(64, 48);
                for (int y = 0; y < 48; y++) {
                    for (int x = 0; x < 64; x++) {
                        frame.set(x, y, (x * 4 + t * 10) & 0xFF, y * 5, x < 32 ? 200 : 30);
                    }
                }
                writer.write(frame);
                written.add(frame);
            }
            writer.finish();
        }
        try (VideoReader reader = VideoReader.open(out)) {
            assertThat(reader.fps()).isEqualTo(30.0);
            assertThat(reader.frameCount()).isEqualTo(10);
            int t = 0;
            while (reader.hasNext()) {
                RgbImage back = reader.next();
                assertThat(meanAbsDiff(back, written.get(t))).as("frame %d", t).isLessThan(6.0);
                t++;
            }
        }
    }

    @Test
    void unfinishedWriterLeavesNoFile() throws IOException {
        Path out = dir.resolve("cancelled.mp4");
        try (VideoWriter writer = VideoWriter.create(out, 32, 32, 25)) {
            writer.write(RgbImage.black(32, 32));
            // no finish(): as if the caller's loop threw or was cancelled
        }
        assertThat(out).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void wrongFrameSizeFailsAndLeavesNoFile() {
        Path out = dir.resolve("bad.mp4");
        try (VideoWriter writer = VideoWriter.create(out, 32, 32, 25)) {
            assertThatThrownBy(() -> writer.write(RgbImage.black(30, 32)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.mp4");
        }
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> VideoWriter.create(out, 31, 32, 25)).hasMessageContaining("even");
    }

    @Test
    void audioIsPassedThroughWhenTheSourceHasIt() {
        Path source = TestMedia.animateVideo();
        Path out = dir.resolve("with-audio.mp4");
        boolean sourceHasAudio = VideoReader.probe(source).hasAudio();
        try (VideoReader reader = VideoReader.open(source);
                VideoWriter writer = VideoWriter.create(out, reader.width() / 2 * 2, reader.height() / 2 * 2,
                        reader.fps(), VideoWriter.Options.defaults().withAudioFrom(source))) {
            for (int i = 0; i < 15 && reader.hasNext(); i++) {
                RgbImage f = reader.next();
                writer.write(f.crop(0, 0, f.width() / 2 * 2, f.height() / 2 * 2));
            }
            writer.finish();
        }
        VideoInfo info = VideoReader.probe(out);
        assertThat(info.hasAudio()).isEqualTo(sourceHasAudio);
        assertThat(info.packetCount()).isEqualTo(15);
    }

    @Test
    void missingEmptyAndCorruptFilesNameTheFile() throws IOException {
        Path missing = dir.resolve("missing.mp4");
        assertThatThrownBy(() -> VideoReader.open(missing)).isInstanceOf(VideoException.class)
                .hasMessageContaining("missing.mp4");
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        assertThatThrownBy(() -> VideoReader.open(empty)).isInstanceOf(VideoException.class)
                .hasMessageContaining("empty.mp4").hasMessageContaining("empty");
        Path garbage = dir.resolve("garbage.mp4");
        Files.write(garbage, "this is not a video at all, just some text".repeat(100).getBytes());
        assertThatThrownBy(() -> VideoReader.open(garbage)).isInstanceOf(VideoException.class)
                .hasMessageContaining("garbage.mp4");
        Path truncated = dir.resolve("truncated.mp4");
        byte[] head = Files.readAllBytes(TestMedia.animateVideo());
        Files.write(truncated, java.util.Arrays.copyOf(head, 2000));
        assertThatThrownBy(() -> {
            try (VideoReader r = VideoReader.open(truncated)) {
                while (r.hasNext()) {
                    r.next();
                }
            }
        }).isInstanceOf(VideoException.class).hasMessageContaining("truncated.mp4");
    }

    static double meanAbsDiff(RgbImage a, RgbImage b) {
        byte[] pa = a.pixels();
        byte[] pb = b.pixels();
        long sum = 0;
        for (int i = 0; i < pa.length; i++) {
            sum += Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF));
        }
        return (double) sum / pa.length;
    }
}
