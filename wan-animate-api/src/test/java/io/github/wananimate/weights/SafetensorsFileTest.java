package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** A file made of the 8-byte header length, {@code header} and {@code dataBytes} bytes 0,1,2,... */
    private Path file(String name, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        for (int i = 0; i < dataBytes; i++) {
            out.write(i);
        }
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(Path p) {
        return assertThatThrownBy(() -> SafetensorsFile.open(p).close()).isInstanceOf(WeightException.class)
                .hasMessageContaining(p.toString());
    }

    @Test
    void readsAValidFile() throws Exception {
        Path p = file("ok.safetensors", "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
                + "\"empty\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[12,12]}}   ", 12);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.keys()).containsExactly("a", "b", "empty");
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.dtype("b")).isEqualTo(DType.BF16);
            assertThat(f.shape("b")).containsExactly(1, 2);
            HostTensor a = f.get("a");
            assertThat(a.data().get(0)).isEqualTo((byte) 0);
            assertThat(a.data().get(7)).isEqualTo((byte) 7);
            assertThat(f.get("b").data().get(0)).isEqualTo((byte) 8);
            assertThat(f.get("empty").elementCount()).isZero();
            assertThatThrownBy(() -> f.get("c")).isInstanceOf(WeightException.class)
                    .hasMessageContaining(p.toString()).hasMessageContaining("'c'");
        }
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("absent.safetensors");
        assertOpenFails(p).hasMessageContaining("cannot open");
    }

    @Test
    void truncatedBeforeHeaderLength() throws Exception {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertOpenFails(p).hasMessageContaining("truncated").hasMessageContaining("3 bytes");
    }

    @Test
    void headerLengthBeyondFile() throws Exception {
        Path p = dir.resolve("long-header.safetensors");
        Files.write(p, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertOpenFails(p).hasMessageContaining("header length 1000").hasMessageContaining("file size 20");
        Path q = dir.resolve("negative-header.safetensors");
        Files.write(q, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertOpenFails(q).hasMessageContaining("header length 18446744073709551615");
    }

    @Test
    void headerNotJson() throws Exception {
        assertOpenFails(file("garbage.safetensors", "this is not json", 0)).hasMessageContaining("not valid JSON");
        assertOpenFails(file("lenient.safetensors", "{a:{dtype:F32}}", 0)).hasMessageContaining("not valid JSON");
        assertOpenFails(file("array.safetensors", "[1,2]", 0)).hasMessageContaining("not a JSON object");
        assertOpenFails(file("trailing.safetensors", "{} {}", 0)).hasMessageContaining("not valid JSON")
                .hasMessageContaining("column 5");
        assertOpenFails(file("entry.safetensors", "{\"w\": 3}", 0)).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("not a JSON object");
        assertOpenFails(file("fields.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4))
                .hasMessageContaining("tensor 'w'").hasMessageContaining("'shape' element 1.5");
        assertOpenFails(file("nooffsets.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4))
                .hasMessageContaining("tensor 'w'").hasMessageContaining("'data_offsets' is missing");
        assertOpenFails(file("meta.safetensors", "{\"__metadata__\":{\"k\":1}}", 0))
                .hasMessageContaining("'__metadata__' entry 'k'");
    }

    @Test
    void offsetsOutOfRange() throws Exception {
        Path p = file("range.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12);
        assertOpenFails(p).hasMessageContaining("tensor 'w'").hasMessageContaining("[0, 16]")
                .hasMessageContaining("12 bytes");
        Path q = file("reversed.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 12);
        assertOpenFails(q).hasMessageContaining("tensor 'w'").hasMessageContaining("[8, 4]");
        Path r = file("negative.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 12);
        assertOpenFails(r).hasMessageContaining("tensor 'w'").hasMessageContaining("not a non-negative integer");
    }

    @Test
    void overlappingOffsets() throws Exception {
        Path p = file("overlap.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertOpenFails(p).hasMessageContaining("'x'").hasMessageContaining("'y'").hasMessageContaining("overlapping");
    }

    @Test
    void unknownDtype() throws Exception {
        Path p = file("dtype.safetensors", "{\"w\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1);
        assertOpenFails(p).hasMessageContaining("tensor 'w'").hasMessageContaining("unknown dtype 'F4'");
    }

    @Test
    void dtypeTimesShapeDiffersFromByteLength() throws Exception {
        Path p = file("size.safetensors", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8);
        assertOpenFails(p).hasMessageContaining("tensor 'w'").hasMessageContaining("needs 12 bytes")
                .hasMessageContaining("span 8");
        Path q = file("huge.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8);
        assertOpenFails(q).hasMessageContaining("tensor 'w'").hasMessageContaining("too large");
    }

    @Test
    void readingAfterCloseIsReported() throws Exception {
        Path p = file("closed.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        SafetensorsFile f = SafetensorsFile.open(p);
        f.close();
        assertThatThrownBy(() -> f.get("w")).isInstanceOf(WeightException.class).hasMessageContaining(p.toString())
                .hasMessageContaining("'w'").hasMessageContaining("closed");
    }

    @Test
    void writerReplacesAFileWhole() throws Exception {
        Path p = dir.resolve("written.safetensors");
        Files.writeString(p, "an older, longer file that must not leave a tail behind the new one");
        HostTensor w = HostTensor.ofFloats(new long[] {2}, new float[] {1.5f, -2f});
        SafetensorsWriter.write(p, Map.of("w", w), Map.of("k", "v"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.get("w").toFloatArray()).containsExactly(1.5f, -2f);
            assertThat(f.metadata()).containsEntry("k", "v");
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(x -> x.getFileName().toString())).containsExactly("written.safetensors");
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws Exception {
        Path occupied = Files.createDirectories(dir.resolve("occupied.safetensors"));
        Files.writeString(occupied.resolve("keep"), "x");
        HostTensor w = HostTensor.ofFloats(new long[] {1}, new float[] {1f});
        assertThatThrownBy(() -> SafetensorsWriter.write(occupied, Map.of("w", w), Map.of()))
                .isInstanceOf(WeightException.class).hasMessageContaining(occupied.toString());
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(x -> x.getFileName().toString())).containsExactly("occupied.safetensors");
        }
    }
}
