package io.github.wananimate.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file, memory-mapped tensor by tensor on first use (so files larger than 2 GiB and
 * 14B-parameter shards open instantly and cost no heap).
 */
public final class SafetensorsFile implements ParameterSource {

    private record Entry(DType dtype, long[] shape, long begin, long end) {
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new WeightException("cannot open safetensors file " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightException(path + ": truncated safetensors file (" + size + " bytes, no header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
                throw new WeightException(path + ": safetensors header length " + headerLen
                        + " is beyond the file size " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8);
            JsonObject json;
            try {
                json = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new WeightException(path + ": safetensors header is not a JSON object: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : json.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                entries.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue().getAsJsonObject(), dataSize));
            }
            SafetensorsValidation.checkNoOverlap(path, entries.entrySet().stream()
                    .collect(LinkedHashMap<String, long[]>::new,
                            (m, x) -> m.put(x.getKey(), new long[] {x.getValue().begin(), x.getValue().end()}),
                            Map::putAll));
            return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof WeightException we) {
                throw we;
            }
            throw new WeightException(path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static Entry parseEntry(Path path, String key, JsonObject o, long dataSize) {
        DType dtype;
        try {
            dtype = DType.fromSafetensors(o.get("dtype").getAsString());
        } catch (IllegalArgumentException e) {
            throw new WeightException(path + ": tensor '" + key + "': " + e.getMessage());
        }
        var shapeJson = o.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
        }
        var offsets = o.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new WeightException(path + ": tensor '" + key + "' has data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes (truncated or corrupt file?)");
        }
        long expected = Shapes.elementCount(shape) * dtype.byteSize();
        if (end - begin != expected) {
            throw new WeightException(path + ": tensor '" + key + "' of dtype " + dtype + " and shape "
                    + Shapes.toString(shape) + " needs " + expected + " bytes but its offsets span " + (end - begin));
        }
        return new Entry(dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> keys() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String key) {
        return entry(key).shape().clone();
    }

    @Override
    public DType dtype(String key) {
        return entry(key).dtype();
    }

    @Override
    public HostTensor get(String key) {
        Entry e = entry(key);
        long length = e.end() - e.begin();
        if (length > Integer.MAX_VALUE) {
            throw new WeightException(path + ": tensor '" + key + "' is " + length
                    + " bytes, larger than one mapping can hold");
        }
        try {
            ByteBuffer mapped = length == 0 ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), length);
            return HostTensor.of(e.dtype(), e.shape(), mapped.order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException ex) {
            throw new WeightException(path + ": cannot map tensor '" + key + "': " + ex.getMessage(), ex);
        }
    }

    private Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new WeightException(path + ": no tensor '" + key + "'");
        }
        return e;
    }

    @Override
    public String description() {
        return path.toString();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new WeightException("cannot close " + path, e);
        }
    }
}
