package io.github.wananimate.weights;

import io.github.wananimate.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The file-channel chores the checkpoint readers and writer share; every failure becomes a {@link WeightException}. */
final class ChannelIo {

    private ChannelIo() {
    }

    /** Parses a freshly opened channel; throws {@link IOException} or a runtime exception on a bad file. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(FileChannel channel, long size) throws IOException;
    }

    /**
     * Opens {@code path} for reading and hands the channel to {@code parser}, which keeps it open in the object it
     * returns. If parsing fails the channel is closed and the error names the file and {@code what} it was read as.
     */
    static <T> T openAndParse(Path path, String what, Parser<T> parser) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new WeightException("cannot open " + what + " " + path + ": " + e, e);
        }
        try {
            return parser.parse(channel, channel.size());
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof WeightException we) {
                throw we;
            }
            throw new WeightException(path + ": cannot read " + what + ": " + e, e);
        }
    }

    /** {@code length} bytes from {@code position}, little-endian, flipped for reading. */
    static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
        return buf.flip();
    }

    /** A read-only little-endian mapping of {@code length} bytes at {@code position}; {@code what} names the part. */
    static ByteBuffer map(Path path, FileChannel channel, long position, long length, String what) {
        if (length > Integer.MAX_VALUE) {
            throw new WeightException(path + ": " + what + " is " + length + " bytes, more than one mapping can hold");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new WeightException(path + ": cannot map " + what + ": "
                    + (channel.isOpen() ? ex.toString() : "the file is closed"), ex);
        }
    }

    static void close(Path path, FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new WeightException("cannot close " + path, e);
        }
    }

    /** Writes the content of a new file through a channel. */
    @FunctionalInterface
    interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code path} through a temporary sibling that is moved into place once complete, so a failure never
     * leaves a half-written file under the final name (nor a stale temporary).
     */
    static void writeAtomically(Path path, String what, Writer writer) {
        Path absolute = path.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = AtomicFiles.createSibling(absolute, ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch);
            }
            AtomicFiles.moveIntoPlace(tmp, absolute);
        } catch (IOException e) {
            throw new WeightException("cannot write " + what + " " + path + ": " + e, e);
        } finally {
            AtomicFiles.deleteQuietly(tmp);
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}
