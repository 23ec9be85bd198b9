package io.github.wananimate.preprocess.pose;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/** Streams the frames of a pose-sequence file (format in {@link PoseSequenceWriter}), checking its CRC at the end. */
public final class PoseSequenceReader implements AutoCloseable {

    /** Sanity bound on persons per frame, against corrupt counts. */
    private static final int MAX_PERSONS = 1000;

    private final Path file;
    private final InputStream raw;
    private final CRC32 crc = new CRC32();
    private final DataInputStream in;
    private final int frameCount;
    private final double fps;
    private int read;

    /** Sanity bound on the frame size, against corrupt records. */
    private static final int MAX_SIDE = 1 << 16;
    /** The smallest frame record: width, height, subject and person count (no persons). */
    private static final int MIN_FRAME_BYTES = 16;

    private PoseSequenceReader(Path file) throws IOException {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        long size = Files.size(file);
        this.raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            byte[] header = raw.readNBytes(PoseSequenceWriter.HEADER_BYTES);
            if (header.length < PoseSequenceWriter.HEADER_BYTES
                    || !Arrays.equals(Arrays.copyOf(header, 8), PoseSequenceWriter.MAGIC)) {
                throw new IOException(file + ": not a pose-sequence file (bad magic)");
            }
            ByteBuffer h = ByteBuffer.wrap(header, 8, header.length - 8).order(ByteOrder.LITTLE_ENDIAN);
            int version = h.getInt();
            if (version != PoseSequenceWriter.VERSION) {
                throw new IOException(file + ": pose-sequence version " + version + " is not supported (this reader "
                        + "reads version " + PoseSequenceWriter.VERSION + ")");
            }
            frameCount = h.getInt();
            fps = h.getDouble();
            int points = h.getInt();
            if (points != WholeBody.POINTS || frameCount < 0) {
                throw new IOException(file + ": corrupt header (" + points + " keypoints, " + frameCount + " frames)");
            }
            long room = (size - PoseSequenceWriter.HEADER_BYTES - 4) / MIN_FRAME_BYTES;
            if (frameCount > room) {
                throw new IOException(file + ": corrupt header: it declares " + frameCount + " frames, but the file's "
                        + size + " bytes hold at most " + Math.max(0, room));
            }
            if (!(fps > 0 && fps <= PoseSequenceWriter.MAX_FPS)) {
                throw new IOException(file + ": corrupt header: fps " + fps + " (must be a number in (0, " + PoseSequenceWriter.MAX_FPS
                        + "])");
            }
            this.in = new DataInputStream(new CheckedInputStream(raw, crc));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    public static PoseSequenceReader open(Path file) throws IOException {
        return new PoseSequenceReader(file);
    }

    public int frameCount() {
        return frameCount;
    }

    public double fps() {
        return fps;
    }

    public boolean hasNext() {
        return read < frameCount;
    }

    public PoseFrame next() throws IOException {
        if (!hasNext()) {
            throw new NoSuchElementException(file + " has " + frameCount + " frames");
        }
        try {
            int width = readInt();
            int height = readInt();
            int subject = readInt();
            int persons = readInt();
            if (persons < 0 || persons > MAX_PERSONS || width <= 0 || height <= 0 || width > MAX_SIDE
                    || height > MAX_SIDE) {
                throw new IOException(file + ": frame " + read + " is corrupt (" + width + "x" + height + ", "
                        + persons + " persons)");
            }
            List<Person> list = new ArrayList<>(persons);
            for (int p = 0; p < persons; p++) {
                int track = readInt();
                float[] box = {readFloat(), readFloat(), readFloat(), readFloat()};
                float score = readFloat();
                float[] kp = new float[WholeBody.POINTS * 3];
                for (int i = 0; i < kp.length; i++) {
                    kp[i] = readFloat();
                }
                list.add(new Person(track, box, score, new WholeBody(kp)));
            }
            PoseFrame frame;
            try {
                frame = new PoseFrame(width, height, list, subject);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": frame " + read + " is corrupt: " + e.getMessage(), e);
            }
            read++;
            if (read == frameCount) {
                long expected = crc.getValue();
                byte[] trailer = raw.readNBytes(4);
                if (trailer.length < 4) {
                    throw new IOException(file + ": truncated (no checksum after frame " + (read - 1) + ")");
                }
                int stored = ByteBuffer.wrap(trailer).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (stored != (int) expected) {
                    throw new IOException(file + ": checksum mismatch, the file is corrupt");
                }
            }
            return frame;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated in frame " + read + " of " + frameCount, e);
        }
    }

    private int readInt() throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private float readFloat() throws IOException {
        return Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
