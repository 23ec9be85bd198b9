package io.github.wananimate.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.wananimate.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file: the tensors in the iteration order of the map, the header padded with
 * spaces to a multiple of 8 bytes (as the reference implementation does). The file appears complete or not at
 * all: it is written to a temporary sibling and moved into place.
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new WeightException(path + ": '__metadata__' cannot be a tensor name");
            }
            HostTensor t = e.getValue();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.dtype().safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += t.byteSize();
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        ChannelIo.writeAtomically(path, "safetensors file", ch -> {
            ChannelIo.writeFully(ch, head);
            for (HostTensor t : tensors.values()) {
                ChannelIo.writeFully(ch, t.data());
            }
        });
    }
}
