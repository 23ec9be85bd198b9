package io.github.wananimate.preprocess.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path dir;

    @Test
    void aMissingOrUndecodableImageIsNamed() throws Exception {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> ImageFiles.read(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.png").hasMessageContaining("not found");
        Path text = Files.writeString(dir.resolve("ref.png"), "not an image at all");
        assertThatThrownBy(() -> ImageFiles.read(text)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("ref.png").hasMessageContaining("cannot decode");
    }

    @Test
    void aFailedWriteLeavesNoPartialFile() throws Exception {
        RgbImage image = RgbImage.black(8, 6);
        Path unknownFormat = dir.resolve("pose.notaformat");
        assertThatThrownBy(() -> ImageFiles.write(image, unknownFormat)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("pose.notaformat");
        assertThat(dir).isEmptyDirectory();

        // the move into place fails (a non-empty folder has the target's name): no partial file is left behind
        Path blocked = Files.createDirectories(dir.resolve("blocked.png"));
        Files.writeString(blocked.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> ImageFiles.write(image, blocked)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("blocked.png");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(blocked);
        }
    }

    @Test
    void aWriteReplacesAnExistingFileWhole() throws Exception {
        Path file = Files.writeString(dir.resolve("frame.png"), "old content that is not an image");
        RgbImage image = RgbImage.black(8, 6);
        image.pixels()[0] = (byte) 200;
        ImageFiles.write(image, file);
        RgbImage read = ImageFiles.read(file);
        assertThat(read.width()).isEqualTo(8);
        assertThat(read.pixels()).isEqualTo(image.pixels());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }
}
