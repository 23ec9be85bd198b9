package io.github.wananimate.preprocess.image;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
