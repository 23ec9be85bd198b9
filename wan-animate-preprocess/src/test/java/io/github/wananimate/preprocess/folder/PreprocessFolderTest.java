package io.github.wananimate.preprocess.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.TestMedia;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.video.VideoFrameSequence;
import io.github.wananimate.video.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessFolderTest {

    @TempDir
    Path dir;

    static RgbImage pattern(int w, int h, int t) {
        RgbImage img = RgbImage.black(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, x < w / 2 ? 220 : 20, (t * 30) & 0xFF, y < h / 2 ? 180 : 60);
            }
        }
        return img;
    }

    static BinaryMask box(int w, int h, int x0, int y0, int x1, int y1) {
        byte[] bits = new byte[w * h];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                bits[y * w + x] = 1;
            }
        }
        return new BinaryMask(w, h, bits);
    }

    @Test
    void animationFolderRoundTrips() throws IOException {
        Path folder = dir.resolve("anim");
        try (PreprocessFolderWriter w = PreprocessFolderWriter.create(folder, TestMedia.animateImage(), 96, 64, 30,
                false)) {
            for (int t = 0; t < 6; t++) {
                w.write(pattern(96, 64, t), pattern(512, 512, t));
            }
            w.finish();
        }
        assertThat(Files.readAllBytes(folder.resolve(PreprocessFolder.REFERENCE)))
                .isEqualTo(Files.readAllBytes(TestMedia.animateImage()));
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.frameCount()).isEqualTo(6);
        assertThat(signals.width()).isEqualTo(96);
        assertThat(signals.height()).isEqualTo(64);
        assertThat(signals.fps()).isEqualTo(30.0);
        assertThat(signals.supportsReplacement()).isFalse();
        assertThat(signals.face().width()).isEqualTo(512);
        RgbImage ref = ImageFiles.read(TestMedia.animateImage());
        assertThat(signals.reference().width()).isEqualTo(ref.width());
        assertThat(signals.reference().toRgbBytes()).isEqualTo(ref.pixels()); // JPEG bytes under the PNG name
        Frame p3 = signals.pose().get(3);
        assertThat(p3.sample(10, 10, 0)).isBetween(210, 230);
        assertThat(p3.sample(80, 50, 2)).isBetween(50, 70);
        assertThat(p3.sample(10, 10, 1)).isBetween(80, 100);
    }

    @Test
    void replacementFolderKeepsTheMaskInTheRedChannel() throws IOException {
        Path folder = dir.resolve("replace");
        try (PreprocessFolderWriter w = PreprocessFolderWriter.create(folder, pattern(40, 40, 0), 64, 64, 25,
                true)) {
            for (int t = 0; t < 4; t++) {
                w.write(pattern(64, 64, t), pattern(512, 512, t), pattern(64, 64, t + 1), box(64, 64, 16, 8, 48, 56));
            }
            w.finish();
        }
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.supportsReplacement()).isTrue();
        assertThat(signals.fps()).isEqualTo(25.0);
        Frame mask = signals.mask().orElseThrow().get(2);
        assertThat(mask.sample(32, 32, 0)).isGreaterThan(240);
        assertThat(mask.sample(4, 4, 0)).isLessThan(15);
        assertThat(signals.background().orElseThrow().size()).isEqualTo(4);
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> new PreprocessFolderReader().read(folder)).isInstanceOf(IOException.class)
                .hasMessageContaining(PreprocessFolder.POSE);
    }

    @Test
    void unfinishedFolderHasNoVideos() throws IOException {
        Path folder = dir.resolve("cancelled");
        try (PreprocessFolderWriter w = PreprocessFolderWriter.create(folder, TestMedia.animateImage(), 64, 64, 30,
                false)) {
            w.write(pattern(64, 64, 0), pattern(512, 512, 0));
        }
        try (var files = Files.list(folder)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void lazySequenceServesRandomAccessWithASmallWindow() {
        try (VideoFrameSequence seq = VideoFrameSequence.open(TestMedia.replaceVideo(), 2)) {
            assertThat(seq.size()).isEqualTo(164);
            Frame f10 = seq.get(10);
            Frame f11 = seq.get(11);
            assertThat(seq.get(10)).isEqualTo(f10);       // inside the window
            seq.get(40);
            assertThat(seq.get(10)).isEqualTo(f10);       // re-opened and decoded again: same pixels
            assertThat(seq.get(11)).isEqualTo(f11);
            assertThat(seq.get(163).width()).isEqualTo(1280);
            assertThatThrownBy(() -> seq.get(164)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("video.mp4");
        }
    }
}
