package io.github.wananimate.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file, memory-mapped tensor by tensor on first use (so files larger than 2 GiB and
 * 14B-parameter shards open instantly and cost no heap).
 */
public final class SafetensorsFile implements ParameterSource {

    private static final long MAX_HEADER_BYTES = 100_000_000L;

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

    /**
     * Maps a file and reads its header.
     *
     * @param path the file
     * @return the open file; close it
     * @throws WeightException naming the file when it is not a valid safetensors file
     */
    public static SafetensorsFile open(Path path) {
        return ChannelIo.openAndParse(path, "safetensors file", (channel, size) -> {
            if (size < 8) {
                throw new WeightException(path + ": truncated safetensors file (" + size
                        + " bytes, too short for the 8-byte header length)");
            }
            long headerLen = ChannelIo.read(channel, 0, 8).getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new WeightException(path + ": safetensors header length " + Long.toUnsignedString(headerLen)
                        + " is beyond the file size " + size + " (truncated file, or not a safetensors file)");
            }
            byte[] header = new byte[(int) headerLen];
            ChannelIo.read(channel, 8, header.length).get(header);
            JsonObject json = parseHeader(path, header);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : json.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    parseMetadata(path, e.getValue(), metadata);
                    continue;
                }
                entries.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
            }
            SafetensorsValidation.checkNoOverlap(path, entries.entrySet().stream()
                    .collect(LinkedHashMap<String, long[]>::new,
                            (m, x) -> m.put(x.getKey(), new long[] {x.getValue().begin(), x.getValue().end()}),
                            Map::putAll));
            return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        });
    }

    private static JsonObject parseHeader(Path path, byte[] header) {
        String text = new String(header, StandardCharsets.UTF_8);
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightException(path + ": safetensors header has trailing data after the JSON object");
            }
            if (!root.isJsonObject()) {
                throw new WeightException(path + ": safetensors header is not a JSON object but " + abbreviate(text));
            }
            return root.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
            throw new WeightException(path + ": safetensors header is not valid JSON (" + reason + "): "
                    + abbreviate(text), e);
        }
    }

    private static String abbreviate(String text) {
        String t = text.strip();
        return t.length() <= 80 ? "'" + t + "'" : "'" + t.substring(0, 80) + "...'";
    }

    private static void parseMetadata(Path path, JsonElement value, Map<String, String> metadata) {
        if (!value.isJsonObject()) {
            throw new WeightException(path + ": '__metadata__' is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new WeightException(path + ": '__metadata__' entry '" + m.getKey() + "' is not a string");
            }
            metadata.put(m.getKey(), v.getAsString());
        }
    }

    private static Entry parseEntry(Path path, String key, JsonElement value, long dataSize) {
        String where = path + ": tensor '" + key + "'";
        if (!value.isJsonObject()) {
            throw new WeightException(where + ": header entry is not a JSON object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeJson = o.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
            throw new WeightException(where + ": 'dtype' is missing or not a string");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(dtypeJson.getAsString());
        } catch (IllegalArgumentException e) {
            throw new WeightException(where + ": " + e.getMessage() + " (supported: F64, F32, F16, BF16, F8_E4M3, "
                    + "F8_E5M2, I64, I32, I16, I8, U8, BOOL)");
        }
        long[] shape = longArray(where, o, "shape", -1);
        long[] offsets = longArray(where, o, "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin || end > dataSize) {
            throw new WeightException(where + " has data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes (truncated or corrupt file?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Shapes.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new WeightException(where + ": shape " + Shapes.toString(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw new WeightException(where + " of dtype " + dtype + " and shape " + Shapes.toString(shape)
                    + " needs " + expected + " bytes but its data_offsets span " + (end - begin));
        }
        return new Entry(dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers ({@code length} elements, or any length when negative). */
    private static long[] longArray(String where, JsonObject o, String field, int length) {
        JsonElement value = o.get(field);
        if (value == null || !value.isJsonArray()) {
            throw new WeightException(where + ": '" + field + "' is missing or not an array");
        }
        JsonArray array = value.getAsJsonArray();
        if (length >= 0 && array.size() != length) {
            throw new WeightException(where + ": '" + field + "' has " + array.size() + " elements, expected "
                    + length);
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = array.get(i);
            long v = -1;
            if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber()) {
                try {
                    v = new BigDecimal(x.getAsString()).longValueExact();
                } catch (ArithmeticException | NumberFormatException e) {
                    v = -1;
                }
            }
            if (v < 0) {
                throw new WeightException(where + ": '" + field + "' element " + x + " is not a non-negative integer");
            }
            out[i] = v;
        }
        return out;
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /** {@return the {@code __metadata__} map (empty when absent)} */
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
        ByteBuffer mapped = ChannelIo.map(path, channel, dataStart + e.begin(), e.end() - e.begin(),
                "tensor '" + key + "'");
        return HostTensor.of(e.dtype(), e.shape(), mapped);
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
        ChannelIo.close(path, channel);
    }
}
