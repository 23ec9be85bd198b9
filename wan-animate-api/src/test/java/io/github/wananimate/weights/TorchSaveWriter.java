package io.github.wananimate.weights;

import io.github.wananimate.tensor.HostTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helper: writes pickle opcodes and torch.save-like zip archives by hand (no Python needed). */
public final class TorchSaveWriter {

    /** Pickle bytes, opcode by opcode (protocol 2 plus the few protocol-4 opcodes a test wants). */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int opcode) {
            out.write(opcode);
            return this;
        }

        Pickle proto(int protocol) {
            return op(0x80).op(protocol);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            int n = b.length;
            out.write(n);
            out.write(n >>> 8);
            out.write(n >>> 16);
            out.write(n >>> 24);
            out.writeBytes(b);
            return this;
        }

        Pickle shortString(String s) { // SHORT_BINUNICODE (protocol 4)
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c).op(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            op('J');
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Pickle mark() {
            return op('(');
        }

        Pickle tuple() {
            return op('t');
        }

        Pickle ints(long... values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return tuple();
        }

        Pickle orderedDict() {
            return global("collections", "OrderedDict").op(')').op('R');
        }

        /** A call of {@code _rebuild_tensor_v2} on storage {@code key} of {@code storageType}. */
        Pickle tensorV2(String storageType, String key, long numel, long offset, long[] shape, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().string("storage").global("torch", storageType).string(key).string("cpu").integer(numel).tuple()
                    .op('Q');
            integer(offset).ints(shape).ints(stride).op(0x89).orderedDict();
            return tuple().op('R');
        }

        /** A call of {@code _rebuild_tensor_v3} on an untyped storage of {@code numelBytes} bytes. */
        Pickle tensorV3(String dtype, String key, long numelBytes, long[] shape, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v3").mark();
            mark().string("storage").global("torch", "UntypedStorage").string(key).string("cpu").integer(numelBytes)
                    .tuple().op('Q');
            integer(0).ints(shape).ints(stride).op(0x89).orderedDict().global("torch", dtype);
            return tuple().op('R');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private final Map<String, byte[]> records = new LinkedHashMap<>();
    private final Map<String, Boolean> compressed = new LinkedHashMap<>();

    TorchSaveWriter record(String name, byte[] content) {
        records.put(name, content);
        return this;
    }

    TorchSaveWriter deflated(String name, byte[] content) {
        compressed.put(name, true);
        return record(name, content);
    }

    /** The standard records of an archive named {@code archive} around {@code pickle} and storages. */
    static TorchSaveWriter archive(String archive, byte[] pickle, Map<String, byte[]> storages) {
        TorchSaveWriter w = new TorchSaveWriter();
        w.record(archive + "/data.pkl", pickle);
        w.record(archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach((key, data) -> w.record(archive + "/data/" + key, data));
        w.record(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return w;
    }

    /**
     * {@code torch.save(state_dict)} of contiguous tensors, one storage each ({@code FloatStorage} or
     * {@code BFloat16Storage}); with a {@code wrapperKey}, {@code torch.save({wrapperKey: state_dict})} as Lightning
     * {@code .ckpt} files hold it.
     */
    public static Path writeStateDict(Path file, Map<String, HostTensor> tensors, String wrapperKey)
            throws IOException {
        Pickle p = new Pickle().proto(2);
        if (wrapperKey != null) {
            p.op('}').string(wrapperKey);
        }
        p.orderedDict().mark();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            long[] shape = t.shape();
            long[] stride = new long[shape.length];
            long acc = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = acc;
                acc *= shape[d];
            }
            String storage = switch (t.dtype()) {
                case BF16 -> "BFloat16Storage";
                case F32 -> "FloatStorage";
                default -> throw new IllegalArgumentException("no storage type for " + t.dtype());
            };
            p.string(e.getKey()).tensorV2(storage, Integer.toString(i), t.elementCount(), 0, shape, stride);
            byte[] bytes = new byte[(int) t.byteSize()];
            t.data().get(bytes);
            storages.put(Integer.toString(i), bytes);
            i++;
        }
        p.op('u');
        if (wrapperKey != null) {
            p.op('s');
        }
        p.op('.');
        return archive("archive", p.bytes(), storages).write(file);
    }

    Path write(Path path) throws IOException {
        try (OutputStream file = Files.newOutputStream(path); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry e = new ZipEntry(r.getKey());
                if (compressed.containsKey(r.getKey())) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(r.getValue().length);
                    e.setCompressedSize(r.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(r.getValue());
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return path;
    }
}
