package io.github.wananimate.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.wananimate.io.AtomicFiles;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a {@code .safetensors} file: the tensors in the iteration order of the map, the header padded with
 * spaces to a multiple of 8 bytes (as the reference implementation does). The file appears complete or not at
 * all: it is written to a temporary sibling and moved into place.
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    /**
     * Writes tensors as a safetensors file.
     *
     * @param path the file
     * @param tensors the tensors by key, in file order
     * @param metadata the header's {@code __metadata__}
     */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        List<Entry> entries = new ArrayList<>();
        tensors.forEach((key, t) -> entries.add(new Entry(key, t.dtype(), t.shape(), t.byteSize())));
        ByteBuffer head = header(path, entries, metadata);
        ChannelIo.writeAtomically(path, "safetensors file", ch -> {
            ChannelIo.writeFully(ch, head);
            for (HostTensor t : tensors.values()) {
                ChannelIo.writeFully(ch, t.data());
            }
        });
    }

    /**
     * Writes a file of {@code shapes} in {@code dtype}, producing one tensor at a time from {@code values} (float32
     * values rounded to {@code dtype}; see {@link DTypeConversions#fromFloatArray}), so a file larger than the heap
     * can be written. Like {@link #write}, the file appears complete or not at all.
     *
     * @param path the file
     * @param shapes shapes by key
     * @param dtype the element type
     * @param values the values
     */
    public static void write(Path path, Map<String, long[]> shapes, DType dtype, Function<String, float[]> values) {
        List<Entry> entries = new ArrayList<>();
        shapes.forEach((key, shape) -> entries.add(
                new Entry(key, dtype, shape, Math.multiplyExact(Shapes.elementCount(shape), (long) dtype.byteSize()))));
        ByteBuffer head = header(path, entries, Map.of());
        ChannelIo.writeAtomically(path, "safetensors file", ch -> {
            ChannelIo.writeFully(ch, head);
            for (Entry e : entries) {
                float[] v = values.apply(e.key());
                if (v.length != Shapes.elementCount(e.shape())) {
                    throw new WeightException(path + ": " + v.length + " values for '" + e.key() + "' of shape "
                            + Shapes.toString(e.shape()));
                }
                ChannelIo.writeFully(ch, DTypeConversions.fromFloatArray(dtype, v));
            }
        });
    }

    /** One tensor of {@link #writeEach}: its key, stored dtype and shape. */
    public record Tensor(String key, DType dtype, long[] shape) {
    }

    /**
     * Writes {@code tensors} (mixed dtypes) in order, asking {@code producer} for one tensor at a time, so a file
     * larger than the heap can be written; each produced tensor must have the listed dtype and shape. Like
     * {@link #write}, the file appears complete or not at all.
     *
     * @param path the file
     * @param tensors the tensors
     * @param producer computes the value
     */
    public static void writeEach(Path path, List<Tensor> tensors, Function<String, HostTensor> producer) {
        List<Entry> entries = new ArrayList<>();
        for (Tensor t : tensors) {
            entries.add(new Entry(t.key(), t.dtype(), t.shape(),
                    Math.multiplyExact(Shapes.elementCount(t.shape()), (long) t.dtype().byteSize())));
        }
        ByteBuffer head = header(path, entries, Map.of());
        ChannelIo.writeAtomically(path, "safetensors file", ch -> {
            ChannelIo.writeFully(ch, head);
            for (Entry e : entries) {
                HostTensor t = producer.apply(e.key());
                if (t.dtype() != e.dtype() || !java.util.Arrays.equals(t.shape(), e.shape())) {
                    throw new WeightException(path + ": '" + e.key() + "' was listed as " + e.dtype() + " "
                            + Shapes.toString(e.shape()) + " but produced as " + t.dtype() + " "
                            + Shapes.toString(t.shape()));
                }
                ChannelIo.writeFully(ch, t.data());
            }
        });
    }

    /**
     * Writes a header-only, sparse {@code .safetensors} file, meant for layout checks (binding, inspection,
     * shard indexes) of full-size checkpoints without their weights: the header lists every key with
     * {@code dtype} and its shape, and the data region exists only as file length (extended with
     * {@link RandomAccessFile#setLength}, no byte of it written), so on file systems with sparse files even the
     * 34.5 GB 14B DiT costs a few kilobytes of disk. Reading a tensor of such a file yields zeros. Like
     * {@link #write}, the file appears complete or not at all.
     *
     * @param path the file
     * @param shapes shapes by key
     * @param dtype the element type
     */
    public static void writeHeaderOnly(Path path, Map<String, long[]> shapes, DType dtype) {
        List<Entry> entries = new ArrayList<>();
        shapes.forEach((key, shape) -> entries.add(
                new Entry(key, dtype, shape, Math.multiplyExact(Shapes.elementCount(shape), (long) dtype.byteSize()))));
        ByteBuffer head = header(path, entries, Map.of());
        long dataBytes = entries.stream().mapToLong(Entry::byteSize).sum();
        Path absolute = path.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = AtomicFiles.createSibling(absolute, ".tmp");
            try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
                raf.write(head.array(), 0, head.limit());
                raf.setLength(head.limit() + dataBytes);
            }
            AtomicFiles.moveIntoPlace(tmp, absolute);
        } catch (IOException e) {
            throw new WeightException("cannot write safetensors file " + path + ": " + e, e);
        } finally {
            AtomicFiles.deleteQuietly(tmp);
        }
    }

    private record Entry(String key, DType dtype, long[] shape, long byteSize) {
    }

    /** The 8-byte length and the space-padded JSON header, flipped for writing. */
    private static ByteBuffer header(Path path, List<Entry> entries, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Entry e : entries) {
            if (e.key().equals("__metadata__")) {
                throw new WeightException(path + ": '__metadata__' cannot be a tensor name");
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", e.dtype().safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : e.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += e.byteSize();
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            header.add(e.key(), entry);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        return head.flip();
    }
}
