package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, case 8: ONNX Runtime's extraction folders of earlier runs are removed; live and foreign ones kept. */
class OrtNativeFilesTest {

    @TempDir
    Path tmp;

    @Test
    void staleFoldersAreRemovedOthersKept() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path dead = Files.createDirectory(tmp.resolve(OrtNativeFiles.PREFIX + "1"));
        Files.writeString(dead.resolve(OrtNativeFiles.OWNER_FILE), Long.toString(finished.pid()));
        Files.write(dead.resolve("libonnxruntime.so"), new byte[1024]);
        Path live = Files.createDirectory(tmp.resolve(OrtNativeFiles.PREFIX + "2"));
        Files.writeString(live.resolve(OrtNativeFiles.OWNER_FILE), "1");
        Path oldEmpty = Files.createDirectory(tmp.resolve(OrtNativeFiles.PREFIX + "3"));
        Files.setLastModifiedTime(oldEmpty, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path newEmpty = Files.createDirectory(tmp.resolve(OrtNativeFiles.PREFIX + "4"));
        Path foreign = Files.createDirectory(tmp.resolve(OrtNativeFiles.PREFIX + "5"));
        Files.write(foreign.resolve("libonnxruntime.so"), new byte[16]);
        Files.setLastModifiedTime(foreign, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

        assertThat(OrtNativeFiles.removeStale(tmp, Instant.now())).isEqualTo(2);

        assertThat(dead).doesNotExist();
        assertThat(oldEmpty).doesNotExist();
        assertThat(live).exists();
        assertThat(newEmpty).exists();
        assertThat(foreign).exists();
    }

    @Test
    void thisProcessFolderIsMarked() {
        OrtNativeFiles.environment();
        try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(dirs.filter(d -> d.getFileName().toString().startsWith(OrtNativeFiles.PREFIX))
                    .map(d -> d.resolve(OrtNativeFiles.OWNER_FILE))
                    .filter(Files::isRegularFile)
                    .map(f -> {
                        try {
                            return Files.readString(f).strip();
                        } catch (java.io.IOException e) {
                            return "";
                        }
                    })).contains(Long.toString(ProcessHandle.current().pid()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
