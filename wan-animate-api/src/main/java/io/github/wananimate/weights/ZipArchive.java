package io.github.wananimate.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal reader of zip archives as {@code torch.save} writes them: the central directory (zip64 included) is
 * parsed by hand so that records of any size can be memory-mapped in place. Only stored (uncompressed) records
 * can be mapped; small records may also be deflated.
 */
final class ZipArchive implements AutoCloseable {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_END = 0x06064b50;
    private static final int METHOD_STORED = 0;
    private static final int METHOD_DEFLATED = 8;
    private static final long MAX_SMALL_RECORD = 1L << 30;
    /** Deflate cannot expand data more than about 1032-fold, so a larger declared size is corrupt (or a bomb). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** One record of the central directory. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset, int crc) {

        boolean isStored() {
            return method == METHOD_STORED;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipArchive(Path path, FileChannel channel, long fileSize, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    static ZipArchive open(Path path) {
        return ChannelIo.openAndParse(path, "zip archive",
                (channel, size) -> new ZipArchive(path, channel, size, readCentralDirectory(path, channel, size)));
    }

    private static Map<String, Entry> readCentralDirectory(Path path, FileChannel ch, long size) throws IOException {
        int tailLength = (int) Math.min(size, 22 + 65535);
        ByteBuffer tail = ChannelIo.read(ch, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == END_OF_CENTRAL_DIRECTORY && i + 22 + (tail.getShort(i + 20) & 0xffff) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new WeightException(path + ": not a zip archive, or a truncated one (no end-of-central-directory"
                    + " record in the last " + tailLength + " bytes)");
        }
        long eocdPosition = size - tailLength + eocd;
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (eocdPosition < 20) {
                throw new WeightException(path + ": zip64 archive without its zip64 locator");
            }
            ByteBuffer locator = ChannelIo.read(ch, eocdPosition - 20, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR) {
                throw new WeightException(path + ": zip64 archive without its zip64 locator");
            }
            long zip64End = locator.getLong(8);
            if (zip64End < 0 || zip64End + 56 > eocdPosition) {
                throw new WeightException(path + ": zip64 end record offset " + zip64End + " is outside the file");
            }
            ByteBuffer end = ChannelIo.read(ch, zip64End, 56);
            if (end.getInt(0) != ZIP64_END) {
                throw new WeightException(path + ": corrupt zip64 end-of-central-directory record");
            }
            count = end.getLong(32);
            cdSize = end.getLong(40);
            cdOffset = end.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocdPosition || cdSize > Integer.MAX_VALUE) {
            throw new WeightException(path + ": zip central directory [" + cdOffset + ", +" + cdSize
                    + "] lies outside the file (truncated archive?)");
        }
        ByteBuffer cd = ChannelIo.read(ch, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long n = 0; n < count; n++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_HEADER) {
                throw new WeightException(path + ": corrupt zip central directory at entry " + n);
            }
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            int crc = cd.getInt(p + 16);
            long compressed = cd.getInt(p + 20) & 0xffffffffL;
            long uncompressed = cd.getInt(p + 24) & 0xffffffffL;
            int nameLength = cd.getShort(p + 28) & 0xffff;
            int extraLength = cd.getShort(p + 30) & 0xffff;
            int commentLength = cd.getShort(p + 32) & 0xffff;
            long localOffset = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLength + extraLength + commentLength > cd.limit()) {
                throw new WeightException(path + ": corrupt zip central directory at entry " + n);
            }
            byte[] nameBytes = new byte[nameLength];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extended information: only the fields saturated in the fixed header are present, in order.
            int e = p + 46 + nameLength;
            int extraEnd = e + extraLength;
            while (e + 4 <= extraEnd) {
                int id = cd.getShort(e) & 0xffff;
                int length = cd.getShort(e + 2) & 0xffff;
                int q = e + 4;
                if (id == 0x0001) {
                    if (uncompressed == 0xffffffffL && q + 8 <= e + 4 + length) {
                        uncompressed = cd.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= e + 4 + length) {
                        compressed = cd.getLong(q);
                        q += 8;
                    }
                    if (localOffset == 0xffffffffL && q + 8 <= e + 4 + length) {
                        localOffset = cd.getLong(q);
                    }
                }
                e += 4 + length;
            }
            if (localOffset < 0 || compressed < 0 || uncompressed < 0 || compressed > cdOffset
                    || localOffset > cdOffset - 30 - compressed) {
                throw new WeightException(path + ": zip record '" + name + "' lies outside the file's data area"
                        + " (truncated or corrupt archive)");
            }
            if (method == METHOD_STORED && compressed != uncompressed
                    || method == METHOD_DEFLATED && uncompressed > MAX_DEFLATE_RATIO * compressed + 1024) {
                throw new WeightException(path + ": zip record '" + name + "' declares " + uncompressed + " bytes from "
                        + compressed + " stored (corrupt archive)");
            }
            if (entries.put(name, new Entry(name, method, flags, compressed, uncompressed, localOffset, crc)) != null) {
                throw new WeightException(path + ": zip record '" + name + "' appears twice");
            }
            p += 46 + nameLength + extraLength + commentLength;
        }
        return Collections.unmodifiableMap(entries);
    }

    Path path() {
        return path;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    Entry entry(String name) {
        return entries.get(name);
    }

    /** Where the bytes of {@code e} begin (after its local header, whose extra field may differ in length). */
    long dataOffset(Entry e) {
        try {
            ByteBuffer local = ChannelIo.read(channel, e.localHeaderOffset(), 30);
            if (local.getInt(0) != LOCAL_HEADER) {
                throw new WeightException(path + ": zip record '" + e.name() + "' has no local header at offset "
                        + e.localHeaderOffset());
            }
            long start = e.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
            if (start + e.compressedSize() > fileSize) {
                throw new WeightException(path + ": zip record '" + e.name() + "' ends beyond the end of the file"
                        + " (truncated archive)");
            }
            return start;
        } catch (IOException ex) {
            throw new WeightException(path + ": cannot read zip record '" + e.name() + "': " + ex, ex);
        }
    }

    /** The whole (decompressed) content of a small record, CRC-checked. */
    byte[] readAll(Entry e) {
        if ((e.flags() & 1) != 0) {
            throw new WeightException(path + ": zip record '" + e.name() + "' is encrypted");
        }
        if (e.size() > MAX_SMALL_RECORD || e.compressedSize() > MAX_SMALL_RECORD) {
            throw new WeightException(path + ": zip record '" + e.name() + "' is too large to read (" + e.size()
                    + " bytes)");
        }
        long start = dataOffset(e);
        byte[] out;
        try {
            ByteBuffer raw = ChannelIo.read(channel, start, (int) e.compressedSize());
            if (e.method() == METHOD_STORED) {
                out = raw.array();
            } else if (e.method() == METHOD_DEFLATED) {
                out = inflate(e, raw.array());
            } else {
                throw new WeightException(path + ": zip record '" + e.name() + "' uses compression method "
                        + e.method() + " (only stored and deflated records are supported)");
            }
        } catch (IOException ex) {
            throw new WeightException(path + ": cannot read zip record '" + e.name() + "': " + ex, ex);
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if ((int) crc.getValue() != e.crc()) {
            throw new WeightException(path + ": zip record '" + e.name() + "' fails its CRC check (corrupt archive)");
        }
        return out;
    }

    private byte[] inflate(Entry e, byte[] compressed) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != out.length) {
                throw new WeightException(path + ": zip record '" + e.name() + "' inflates to " + n
                        + " bytes, expected " + out.length);
            }
            return out;
        } catch (DataFormatException ex) {
            throw new WeightException(path + ": zip record '" + e.name() + "' is not valid deflate data", ex);
        } finally {
            inflater.end();
        }
    }

    /** Memory-maps {@code length} bytes at {@code offset} inside the stored record {@code e}. */
    ByteBuffer map(Entry e, long offset, long length) {
        if (!e.isStored()) {
            throw new WeightException(path + ": zip record '" + e.name() + "' is compressed (method " + e.method()
                    + "); torch.save stores tensor data uncompressed, so this archive was re-packed. Re-save it"
                    + " with torch.save or unzip and re-zip it without compression (zip -0)");
        }
        if (offset < 0 || length < 0 || offset + length > e.size()) {
            throw new WeightException(path + ": bytes [" + offset + ", " + (offset + length) + ") are outside zip record '"
                    + e.name() + "' of " + e.size() + " bytes");
        }
        return ChannelIo.map(path, channel, dataOffset(e) + offset, length,
                "bytes [" + offset + ", " + (offset + length) + ") of zip record '" + e.name() + "'");
    }

    @Override
    public void close() {
        ChannelIo.close(path, channel);
    }
}
