package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.RestrictedUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code torch.save} checkpoint ({@code .pth}, {@code .ckpt}, {@code .pt}; the zip format of PyTorch 1.6 and
 * later) read without Python: the zip directory is parsed by {@link ZipArchive}, {@code data.pkl} by
 * {@link RestrictedUnpickler} (which refuses any global outside tensor rebuilding and never executes anything),
 * and each tensor is memory-mapped from its storage record when it is first used.
 *
 * <p>Nested dicts are flattened with dots ({@code {'a': {'b': t}}} → {@code a.b}) below a root: by default the
 * value of {@code state_dict}, else of {@code model}, else of {@code module}, when the top-level dict has such a
 * dict entry, else the top-level dict itself. Values that are not tensors (epoch counters, config strings) are
 * skipped.
 */
public final class PytorchCheckpoint implements ParameterSource {

    private static final Logger LOG = LoggerFactory.getLogger(PytorchCheckpoint.class);
    private static final List<String> DEFAULT_ROOTS = List.of("state_dict", "model", "module");

    private final Path path;
    private final ZipArchive zip;
    private final String root;
    private final Map<String, TensorRef> tensors;
    private final Map<String, ZipArchive.Entry> storageRecords;

    private PytorchCheckpoint(Path path, ZipArchive zip, String root, Map<String, TensorRef> tensors,
            Map<String, ZipArchive.Entry> storageRecords) {
        this.path = path;
        this.zip = zip;
        this.root = root;
        this.tensors = tensors;
        this.storageRecords = storageRecords;
    }

    /**
     * Opens {@code path} with the default root (see the class comment).
     *
     * @param path the file
     * @return the result
     */
    public static PytorchCheckpoint open(Path path) {
        return open(path, null);
    }

    /**
     * Opens {@code path} and takes the tensors under {@code rootKey}: a top-level key, or a {@code /}-separated
     * path of keys into nested dicts; {@code ""} takes the whole object, {@code null} chooses the default root.
     *
     * @param path the file
     * @param rootKey the key of the root object
     * @return the result
     */
    public static PytorchCheckpoint open(Path path, String rootKey) {
        checkZipMagic(path);
        ZipArchive zip = ZipArchive.open(path);
        try {
            String prefix = archivePrefix(zip);
            checkByteOrder(zip, prefix);
            byte[] pickle = zip.readAll(zip.entry(prefix + "data.pkl"));
            Object top = RestrictedUnpickler.load(path.toString(), pickle);
            if (!(top instanceof Map<?, ?> topDict)) {
                throw new WeightException(path + ": the checkpoint holds a "
                        + (top == null ? "None" : top.getClass().getSimpleName()) + ", not a dict of tensors");
            }
            String chosenRoot = rootKey != null ? rootKey : defaultRoot(topDict);
            Object rootValue = select(path, topDict, chosenRoot);
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            int[] skipped = {0};
            flatten(path, "", rootValue, tensors, skipped);
            if (skipped[0] > 0) {
                LOG.debug("{}: skipped {} non-tensor value(s) under root '{}'", path, skipped[0], chosenRoot);
            }
            Map<String, ZipArchive.Entry> records = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> t : tensors.entrySet()) {
                validate(path, zip, prefix, t.getKey(), t.getValue(), records);
            }
            return new PytorchCheckpoint(path, zip, chosenRoot, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(records));
        } catch (RuntimeException e) {
            try {
                zip.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void checkZipMagic(Path path) {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new WeightException("cannot open PyTorch checkpoint " + path + ": " + e, e);
        }
        if (n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            throw new WeightException(path + ": a legacy (pre-1.6, non-zip) torch.save file; it is not supported."
                    + " Re-save it with a recent PyTorch (torch.save(torch.load(f), f)) or convert it to safetensors");
        }
        throw new WeightException(path + ": not a PyTorch checkpoint (a torch.save file is a zip archive starting"
                + " with 'PK', this file starts with " + hex(head, n) + ")");
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return n == 0 ? "nothing (empty file)" : "0x" + sb;
    }

    /** The {@code <archive>/} folder that holds {@code data.pkl}. */
    private static String archivePrefix(ZipArchive zip) {
        List<String> candidates = new ArrayList<>();
        for (String name : zip.entries().keySet()) {
            if (name.equals("data.pkl") || name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - 9) {
                candidates.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            boolean torchScript = zip.entries().keySet().stream().anyMatch(n -> n.endsWith("constants.pkl"));
            throw new WeightException(zip.path() + (torchScript
                    ? ": a TorchScript archive (torch.jit.save), not a torch.save checkpoint"
                    : ": zip archive without a '<archive>/data.pkl' record, so not a torch.save checkpoint"));
        }
        throw new WeightException(zip.path() + ": several data.pkl records " + candidates);
    }

    private static void checkByteOrder(ZipArchive zip, String prefix) {
        ZipArchive.Entry byteorder = zip.entry(prefix + "byteorder");
        if (byteorder == null) {
            return; // written since PyTorch 1.12; older archives are little-endian
        }
        String order = new String(zip.readAll(byteorder), StandardCharsets.US_ASCII).strip();
        if (!order.equals("little")) {
            throw new WeightException(zip.path() + ": tensors are stored '" + order
                    + "'-endian; only little-endian checkpoints are supported");
        }
    }

    private static String defaultRoot(Map<?, ?> top) {
        for (String candidate : DEFAULT_ROOTS) {
            if (top.get(candidate) instanceof Map<?, ?>) {
                return candidate;
            }
        }
        return "";
    }

    private static Object select(Path path, Map<?, ?> top, String root) {
        Object value = top;
        if (root.isEmpty()) {
            return value;
        }
        for (String part : root.split("/")) {
            if (!(value instanceof Map<?, ?> dict) || !dict.containsKey(part)) {
                throw new WeightException(path + ": no dict under root key '" + root + "' (top-level keys: "
                        + RestrictedUnpickler.describe(top) + ")");
            }
            value = dict.get(part);
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new WeightException(path + ": root key '" + root + "' holds a "
                    + (value == null ? "None" : value.getClass().getSimpleName()) + ", not a dict");
        }
        return value;
    }

    /** Most dict entries (at every level, with repeats) walked while flattening; a state dict has thousands. */
    static final int MAX_FLATTENED = 1 << 20;

    /**
     * Flattens nested dicts iteratively, in insertion order. A dict that contains itself, nesting deeper than
     * {@link RestrictedUnpickler#MAX_DEPTH} or more than {@link #MAX_FLATTENED} entries (a memo-shared dict
     * doubling at every level) is refused, naming the file and the limit.
     */
    private static void flatten(Path path, String prefix, Object value, Map<String, TensorRef> out, int[] skipped) {
        record Level(String prefix, Map<?, ?> dict, Iterator<? extends Map.Entry<?, ?>> entries) {
        }
        if (!(value instanceof Map<?, ?> rootDict)) {
            visit(path, prefix, value, out, skipped);
            return;
        }
        ArrayDeque<Level> levels = new ArrayDeque<>();
        levels.push(new Level(prefix, rootDict, rootDict.entrySet().iterator()));
        long walked = 0;
        while (!levels.isEmpty()) {
            Level level = levels.peek();
            if (!level.entries().hasNext()) {
                levels.pop();
                continue;
            }
            if (++walked > MAX_FLATTENED) {
                throw new WeightException(path + ": nested dicts hold more than " + MAX_FLATTENED + " entries (a dict"
                        + " shared many times over?); refused");
            }
            Map.Entry<?, ?> e = level.entries().next();
            String key = e.getKey() instanceof RestrictedUnpickler.Tuple ? RestrictedUnpickler.describe(e.getKey())
                    : String.valueOf(e.getKey());
            String name = level.prefix().isEmpty() ? key : level.prefix() + "." + key;
            if (e.getValue() instanceof Map<?, ?> child) {
                for (Level outer : levels) {
                    if (outer.dict() == child) {
                        throw new WeightException(path + ": dict '" + name + "' contains itself; not a state dict");
                    }
                }
                if (levels.size() >= RestrictedUnpickler.MAX_DEPTH) {
                    throw new WeightException(path + ": dicts nest deeper than " + RestrictedUnpickler.MAX_DEPTH
                            + " levels at '" + name.substring(0, Math.min(name.length(), 200)) + "…'; refused");
                }
                levels.push(new Level(name, child, child.entrySet().iterator()));
            } else {
                visit(path, name, e.getValue(), out, skipped);
            }
        }
    }

    private static void visit(Path path, String name, Object value, Map<String, TensorRef> out, int[] skipped) {
        if (value instanceof TensorRef t) {
            if (out.put(name, t) != null) {
                throw new WeightException(path + ": key '" + name + "' occurs twice after flattening nested dicts");
            }
        } else {
            skipped[0]++;
        }
    }

    private static void validate(Path path, ZipArchive zip, String prefix, String key, TensorRef t,
            Map<String, ZipArchive.Entry> records) {
        String where = path + ": tensor '" + key + "'";
        String recordName = prefix + "data/" + t.storage().key();
        ZipArchive.Entry record = zip.entry(recordName);
        if (record == null) {
            throw new WeightException(where + " uses storage record '" + recordName + "', which is not in the archive");
        }
        if (!record.isStored()) {
            throw new WeightException(where + ": storage record '" + recordName + "' is compressed (zip method "
                    + record.method() + "); torch.save stores tensor data uncompressed so it can be memory-mapped."
                    + " Re-save the checkpoint with torch.save, or re-zip it without compression (zip -0)");
        }
        long storageBytes;
        try {
            storageBytes = Math.multiplyExact(t.storage().numel(), t.storage().dtype().byteSize());
        } catch (ArithmeticException e) {
            throw new WeightException(where + ": storage size " + t.storage().numel() + " is too large");
        }
        if (t.storage().numel() < 0 || record.size() < storageBytes) {
            throw new WeightException(where + ": storage record '" + recordName + "' holds " + record.size()
                    + " bytes, but the pickle declares " + storageBytes);
        }
        int elementSize = t.dtype().byteSize();
        if (storageBytes % elementSize != 0) {
            throw new WeightException(where + ": storage of " + storageBytes + " bytes is not a whole number of "
                    + t.dtype() + " elements");
        }
        long storageElements = storageBytes / elementSize;
        long last = t.offset();
        for (int i = 0; i < t.shape().length; i++) {
            if (t.shape()[i] < 0 || t.stride()[i] < 0) {
                throw new WeightException(where + " has a negative size or stride: size " + Arrays.toString(t.shape())
                        + ", stride " + Arrays.toString(t.stride()));
            }
            if (t.shape()[i] == 0) {
                last = -1;
                break;
            }
            last += (t.shape()[i] - 1) * t.stride()[i];
        }
        if (t.offset() < 0 || (last >= 0 && last >= storageElements)) {
            throw new WeightException(where + " of size " + Arrays.toString(t.shape()) + ", stride "
                    + Arrays.toString(t.stride()) + " and offset " + t.offset() + " reaches beyond its storage of "
                    + storageElements + " elements");
        }
        records.put(key, record);
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /** {@return the root the tensors were taken from ({@code ""} for the whole object)} */
    public String root() {
        return root;
    }

    @Override
    public Set<String> keys() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String key) {
        return ref(key).shape().clone();
    }

    @Override
    public DType dtype(String key) {
        return ref(key).dtype();
    }

    @Override
    public HostTensor get(String key) {
        TensorRef t = ref(key);
        ZipArchive.Entry record = storageRecords.get(key);
        int elementSize = t.dtype().byteSize();
        long count = Shapes.elementCount(t.shape());
        if (count == 0) {
            return HostTensor.of(t.dtype(), t.shape(), ByteBuffer.allocate(0));
        }
        if (isContiguous(t.shape(), t.stride())) {
            ByteBuffer bytes = zip.map(record, t.offset() * elementSize, count * elementSize);
            return HostTensor.of(t.dtype(), t.shape(), bytes);
        }
        return HostTensor.of(t.dtype(), t.shape(), gather(key, t, record, count));
    }

    /** Copies a strided view into a new row-major buffer. */
    private ByteBuffer gather(String key, TensorRef t, ZipArchive.Entry record, long count) {
        int es = t.dtype().byteSize();
        long span = t.offset();
        for (int i = 0; i < t.shape().length; i++) {
            span += (t.shape()[i] - 1) * t.stride()[i];
        }
        span = span + 1 - t.offset();
        ByteBuffer source = zip.map(record, t.offset() * es, span * es);
        if (count * es > Integer.MAX_VALUE) {
            throw new WeightException(path + ": non-contiguous tensor '" + key + "' is too large to copy into one"
                    + " buffer");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (count * es)).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = t.shape();
        long[] index = new long[shape.length];
        byte[] element = new byte[es];
        for (long n = 0; n < count; n++) {
            long position = 0;
            for (int d = 0; d < shape.length; d++) {
                position += index[d] * t.stride()[d];
            }
            source.get((int) (position * es), element);
            out.put(element);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return out.flip();
    }

    static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    private TensorRef ref(String key) {
        TensorRef t = tensors.get(key);
        if (t == null) {
            throw new WeightException(path + ": no tensor '" + key + "'"
                    + (root.isEmpty() ? "" : " under root '" + root + "'"));
        }
        return t;
    }

    @Override
    public String description() {
        return root.isEmpty() ? path.toString() : path + " [" + root + "]";
    }

    @Override
    public void close() {
        zip.close();
    }
}
