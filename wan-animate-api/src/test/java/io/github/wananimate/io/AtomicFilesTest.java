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

    @Test
    void partialFilesAreRecognisableAndStaleOnesAreRemovedByTheNextRun() throws Exception {
        Path target = dir.resolve("out.mp4");
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path stale = Files.writeString(dir.resolve(".out.mp4" + AtomicFiles.MARKER + finished.pid() + "-42.part.mp4"),
                "48 bytes of a killed run");
        Path running = Files.writeString(dir.resolve(".out.mp4" + AtomicFiles.MARKER + "1-7.part.mp4"), "pid 1 lives");
        Path otherTarget = Files.writeString(dir.resolve(".other.mp4" + AtomicFiles.MARKER + finished.pid() + "-1.x"),
                "not ours");

        Path sibling = AtomicFiles.createSibling(target, ".part.mp4");

        assertThat(sibling.getFileName().toString())
                .startsWith(".out.mp4" + AtomicFiles.MARKER + ProcessHandle.current().pid() + "-").endsWith(".part.mp4");
        assertThat(stale).doesNotExist();
        assertThat(running).exists();
        assertThat(otherTarget).exists();
        AtomicFiles.deleteQuietly(sibling);
    }

    @Test
    void writabilityIsCheckedWithoutLeavingAFile() throws Exception {
        assertThat(AtomicFiles.checkWritable(dir.resolve("new/sub/out.mp4"))).isTrue();
        assertThat(dir.resolve("new/sub")).isEmptyDirectory();
        assertThat(AtomicFiles.checkWritable(dir.resolve("new/sub/out.mp4"))).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AtomicFiles.checkWritable(dir))
                .hasMessageContaining("is a directory");
    }
}
