package io.github.wananimate.preprocess.pose;

import io.github.wananimate.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Streams a {@link PoseSequence} to a file, frame by frame. Format (little-endian, version 1):
 * <pre>
 * header   "WANPOSE1" (8 bytes) · version u32 = 1 · frame count u32 · fps f64 · keypoints per person u32 = 133
 * frame    width u32 · height u32 · subject i32 (−1 = none) · person count u32 · persons
 * person   track id i32 · box x1, y1, x2, y2 f32 · detection score f32 · 133 × (x, y, score) f32 (pixels)
 * trailer  CRC-32 u32 of every byte after the header
 * </pre>
 * The frame count is patched in when the writer finishes; like the video writer, the file is written under a
 * temporary name and only moved into place by {@link #finish()}.
 */
public final class PoseSequenceWriter implements AutoCloseable {

    static final byte[] MAGIC = "WANPOSE1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8 + 4 + 4 + 8 + 4;
    /** The highest frame rate a file may declare (a sanity bound against corrupt headers). */
    static final double MAX_FPS = 1000;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final CRC32 crc = new CRC32();
    private int frames;
    private boolean finished;
    private boolean closed;

    private PoseSequenceWriter(Path target, double fps) throws IOException {
        this.target = target;
        this.temp = AtomicFiles.createSibling(target, ".part");
        this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).putInt(VERSION).putInt(0).putDouble(fps).putInt(WholeBody.POINTS).flip();
        writeFully(header, false);
    }

    public static PoseSequenceWriter create(Path target, double fps) throws IOException {
        if (!(fps > 0 && fps <= MAX_FPS)) {
            throw new IllegalArgumentException(target + ": fps must be in (0, " + MAX_FPS + "], got " + fps);
        }
        return new PoseSequenceWriter(target, fps);
    }

    public void write(PoseFrame frame) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException(target + ": writer is " + (closed ? "closed" : "finished"));
        }
        int persons = frame.persons().size();
        ByteBuffer buf = ByteBuffer.allocate(16 + persons * (4 + 20 + WholeBody.POINTS * 12))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(frame.width()).putInt(frame.height()).putInt(frame.subject()).putInt(persons);
        for (Person p : frame.persons()) {
            buf.putInt(p.trackId());
            for (float v : p.box()) {
                buf.putFloat(v);
            }
            buf.putFloat(p.detectionScore());
            for (float v : p.keypoints().toArray()) {
                buf.putFloat(v);
            }
        }
        buf.flip();
        writeFully(buf, true);
        frames++;
    }

    public int framesWritten() {
        return frames;
    }

    /** Writes the trailer and frame count, and moves the file into place. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).flip();
        writeFully(trailer, false);
        ByteBuffer count = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(frames).flip();
        channel.write(count, 12);
        channel.force(false);
        channel.close();
        AtomicFiles.moveIntoPlace(temp, target);
        finished = true;
    }

    private void writeFully(ByteBuffer buf, boolean checksum) throws IOException {
        if (checksum) {
            crc.update(buf.duplicate());
        }
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** Deletes the temporary file unless {@link #finish()} succeeded. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            channel.close();
            Files.deleteIfExists(temp);
        }
    }
}
