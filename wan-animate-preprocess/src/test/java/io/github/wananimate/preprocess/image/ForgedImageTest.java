package io.github.wananimate.preprocess.image;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, case 6: a forged huge PNG is refused naming the file and its declared size, not with OpenCV text. */
class ForgedImageTest {

    @TempDir
    Path dir;

    /** A PNG signature and IHDR declaring {@code width}×{@code height} RGB, then a truncated stream. */
    static byte[] forgedPng(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        d.writeInt(chunk.length - 4);
        d.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        d.writeInt((int) crc.getValue());
        return out.toByteArray();
    }

    @Test
    void hugeDeclaredSizeIsRefusedNamingTheFile() throws IOException {
        Path png = Files.write(dir.resolve("forged.png"), forgedPng(100_000, 100_000));
        assertThatThrownBy(() -> ImageFiles.read(png)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(png.toString()).hasMessageContaining("declares 100000x100000 pixels");
    }

    @Test
    void undecodableImageIsNamed() throws IOException {
        Path png = Files.write(dir.resolve("small.png"), forgedPng(64, 64)); // no image data
        assertThatThrownBy(() -> ImageFiles.read(png)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(png.toString());
    }
}
