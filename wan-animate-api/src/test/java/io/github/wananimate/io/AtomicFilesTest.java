package io.github.wananimate.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void theTargetAppearsOnlyWhenMovedIntoPlaceAndIsReadableByOthers() throws Exception {
        Path target = dir.resolve("sub/out.mp4");
        Path sibling = AtomicFiles.createSibling(target, ".part");
        assertThat(sibling.getParent()).isEqualTo(target.getParent());
        assertThat(sibling.getFileName().toString()).startsWith(".out.mp4.").endsWith(".part");
        Files.writeString(sibling, "complete");
        assertThat(target).doesNotExist();

        AtomicFiles.moveIntoPlace(sibling, target);

        assertThat(target).hasContent("complete");
        assertThat(sibling).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
    }

    @Test
    void deleteQuietlyRemovesALeftoverAndToleratesNull() throws Exception {
        Path sibling = AtomicFiles.createSibling(dir.resolve("x.bin"), ".tmp");
        AtomicFiles.deleteQuietly(sibling);
        AtomicFiles.deleteQuietly(null);
        assertThat(sibling).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
