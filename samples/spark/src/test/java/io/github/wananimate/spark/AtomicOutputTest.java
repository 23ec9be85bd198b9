package io.github.wananimate.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

    @TempDir
    Path dir;

    private static AtomicOutput.Marker marker() {
        return new AtomicOutput.Marker("row", 0, 13, 3.75, 112, 64, 7, "onnx", "cpu");
    }

    private Path video(String name, int bytes) throws Exception {
        Path file = dir.resolve("local").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[bytes]);
    }

    private String[] names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void commitMovesTheVideoIntoPlaceMarksItAndSweepsEarlierAttempts() throws Exception {
        Path target = dir.resolve("out").resolve("row.mp4");
        AtomicOutput out = new AtomicOutput(target.toString(), new Configuration());
        assertThat(out.complete()).isEmpty();
        out.upload(video("a.mp4", 10), out.temp(1));   // an attempt that died after its upload
        out.upload(video("b.mp4", 20), out.temp(2));
        assertThat(out.complete()).isEmpty();

        AtomicOutput.Marker m = out.commit(out.temp(2), marker());

        assertThat(m.bytes()).isEqualTo(20);
        assertThat(m.frames()).isEqualTo(13);
        assertThat(out.complete()).contains(m);
        assertThat(names(target.getParent())).containsExactly(".row.mp4.done", "row.mp4");
        assertThat(Files.size(target)).isEqualTo(20);
    }

    @Test
    void aTwinFindingTheOutputCompleteDiscardsItsCopy() throws Exception {
        Path target = dir.resolve("row.mp4");
        AtomicOutput out = new AtomicOutput(target.toString(), new Configuration());
        out.upload(video("a.mp4", 20), out.temp(1));
        out.upload(video("b.mp4", 30), out.temp(2));
        AtomicOutput.Marker first = out.commit(out.temp(1), marker());
        // attempt 2's temp was swept by attempt 1's commit; a late twin uploads again and commits
        out.upload(video("c.mp4", 30), out.temp(2));
        assertThat(out.commit(out.temp(2), marker())).isEqualTo(first);
        assertThat(Files.size(target)).isEqualTo(20);
        assertThat(names(dir)).containsExactly(".row.mp4.done", "local", "row.mp4");
    }

    @Test
    void aVideoOfAnotherLengthOrAnUnreadableMarkerIsIncomplete() throws Exception {
        Path target = dir.resolve("row.mp4");
        AtomicOutput out = new AtomicOutput(target.toString(), new Configuration());
        out.upload(video("a.mp4", 20), out.temp(1));
        out.commit(out.temp(1), marker());
        Files.write(target, new byte[19]);
        assertThat(out.complete()).isEmpty();
        Files.write(target, new byte[20]);
        assertThat(out.complete()).isPresent();
        Files.writeString(dir.resolve(".row.mp4.done"), "bytes=twenty\n");
        assertThat(out.complete()).isEmpty();
        Files.delete(target);
        assertThat(out.complete()).isEmpty();

        // rendering again replaces the incomplete output
        out.upload(video("b.mp4", 25), out.temp(2));
        assertThat(out.commit(out.temp(2), marker()).bytes()).isEqualTo(25);
        assertThat(out.complete()).isPresent();
    }
}
