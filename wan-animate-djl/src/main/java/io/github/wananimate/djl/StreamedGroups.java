package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The weights of one forward call when some parameter groups stream: resident keys come from the network; a
 * streamed group is uploaded into a manager of its own when its chain step starts (or when first read outside a
 * step) and that manager is closed when the step ends, so a group is uploaded at most once per step.
 *
 * <p>Overlap: while a step computes, {@code stager} prepares the next step's group on the host: it reads the
 * mapped checkpoint pages and converts each tensor to the array form of its stored dtype ({@link DjlOps#dataType}:
 * float32, float32 holding bf16 values, or f16) in one staging buffer (reused, sized to the largest group). The upload itself (the copy to the device) happens on the calling thread when the next step starts, so
 * every PyTorch call stays on the thread that runs the network. Each upload adds the stored bytes to
 * {@code transferred}.
 */
final class StreamedGroups implements DjlParameters, AutoCloseable {

    private final Function<ParameterSpec, NDArray> resident;
    private final Map<String, String> streamedKeys;
    /** Streamed key → the dtype the network stores it in. */
    private final Map<String, DType> storedDtypes;
    private final Map<String, List<String>> groupKeys;
    private final ParameterSource weights;
    private final NDManager parent;
    private final ExecutorService stager;
    private final AtomicLong transferred;
    private final Map<String, Map<String, NDArray>> held = new HashMap<>();
    private final Map<String, NDManager> managers = new HashMap<>();
    /** The group being staged on {@link #stager}, with its staged tensors (float32 bytes by key). */
    private String stagingGroup;
    private Future<Map<String, Staged>> staging;
    private ByteBuffer stagingBuffer = ByteBuffer.allocateDirect(0);

    private record Staged(long[] shape, ByteBuffer bytes, DataType type, long storedBytes) {
    }

    StreamedGroups(Function<ParameterSpec, NDArray> resident, Map<String, String> streamedKeys,
            Map<String, DType> storedDtypes, Map<String, List<String>> groupKeys, ParameterSource weights, NDManager parent, ExecutorService stager,
            AtomicLong transferred) {
        this.resident = resident;
        this.streamedKeys = streamedKeys;
        this.storedDtypes = storedDtypes;
        this.groupKeys = groupKeys;
        this.weights = weights;
        this.parent = parent;
        this.stager = stager;
        this.transferred = transferred;
    }

    @Override
    public NDArray get(ParameterSpec spec) {
        String group = streamedKeys.get(spec.key());
        if (group == null) {
            return resident.apply(spec);
        }
        return obtain(group).get(spec.key());
    }

    @Override
    public void enterStep(String group, String next) {
        if (group != null && groupKeys.containsKey(group)) {
            obtain(group);
        }
        if (next != null && groupKeys.containsKey(next) && !held.containsKey(next) && staging == null) {
            stagingGroup = next;
            staging = stager.submit(() -> stage(next));
        }
    }

    @Override
    public void exitStep(String group) {
        held.remove(group);
        NDManager m = group == null ? null : managers.remove(group);
        if (m != null) {
            m.close();
        }
    }

    private Map<String, NDArray> obtain(String group) {
        Map<String, NDArray> arrays = held.get(group);
        if (arrays != null) {
            return arrays;
        }
        Map<String, Staged> staged;
        if (group.equals(stagingGroup)) {
            staged = awaitStaging();
        } else {
            awaitStaging();   // the staging buffer is shared: let a stale prefetch finish first
            staged = stage(group);
        }
        NDManager manager = parent.newSubManager();
        try {
            arrays = new HashMap<>();
            for (Map.Entry<String, Staged> e : staged.entrySet()) {
                arrays.put(e.getKey(), upload(manager, e.getKey(), e.getValue()));
            }
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
        managers.put(group, manager);
        held.put(group, arrays);
        return arrays;
    }

    private Map<String, Staged> awaitStaging() {
        if (staging == null) {
            return null;
        }
        try {
            return staging.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while staging parameter group " + stagingGroup, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("staging parameter group " + stagingGroup + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            staging = null;
            stagingGroup = null;
        }
    }

    /**
     * The group's tensors in their device array form: mapped tensors already in it as they are (their pages read
     * once, so the upload does not wait on the disk), others converted into the staging buffer.
     */
    private Map<String, Staged> stage(String group) {
        long widenedBytes = 0;
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (String key : groupKeys.get(group)) {
            HostTensor host = weights.get(key);
            tensors.put(key, host);
            if (!usableAsIs(host, storedDtypes.get(key))) {
                widenedBytes += arrayBytes(storedDtypes.get(key)) * host.elementCount();
            }
        }
        if (stagingBuffer.capacity() < widenedBytes) {
            stagingBuffer = ByteBuffer.allocateDirect(Math.toIntExact(widenedBytes)).order(ByteOrder.LITTLE_ENDIAN);
        }
        Map<String, Staged> staged = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor host = e.getValue();
            DType stored = storedDtypes.get(e.getKey());
            ByteBuffer bytes;
            if (usableAsIs(host, stored)) {
                bytes = host.data();
                touchPages(bytes);
            } else {
                int size = Math.toIntExact(arrayBytes(stored) * host.elementCount());
                bytes = stagingBuffer.duplicate().position(offset).limit(offset + size).slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
                convert(host, stored, bytes);
                offset += size;
            }
            staged.put(e.getKey(), new Staged(host.shape(), bytes, DjlOps.dataType(stored), host.byteSize()));
        }
        return staged;
    }

    private static void touchPages(ByteBuffer bytes) {
        int sum = 0;
        for (int i = 0; i < bytes.limit(); i += 4096) {
            sum += bytes.get(i);
        }
        if (sum == 42) {
            Thread.onSpinWait();   // keeps the reads from being optimised away
        }
    }

    /** A mapped tensor whose bytes are already the array form of {@code stored}. */
    private static boolean usableAsIs(HostTensor host, DType stored) {
        return host.data().isDirect() && (stored == DType.F16 ? host.dtype() == DType.F16 : host.dtype() == DType.F32
                && stored == DType.F32);
    }

    private static int arrayBytes(DType stored) {
        return stored == DType.F16 ? 2 : 4;
    }

    /** Writes {@code host} into {@code target} as {@code stored}'s array form. */
    private static void convert(HostTensor host, DType stored, ByteBuffer target) {
        ByteBuffer src = host.data();
        int n = Math.toIntExact(host.elementCount());
        if (stored == DType.F16) {
            if (host.dtype() == DType.F16) {
                target.put(0, src, 0, 2 * n);
            } else {
                float[] values = host.toFloatArray();
                for (int i = 0; i < n; i++) {
                    target.putShort(2 * i, DTypeConversions.floatToF16(values[i]));
                }
            }
            return;
        }
        if (stored == DType.BF16 && host.dtype() != DType.BF16) {
            float[] values = host.toFloatArray();
            for (int i = 0; i < n; i++) {
                target.putInt(4 * i, (DTypeConversions.floatToBf16(values[i]) & 0xffff) << 16);
            }
            return;
        }
        switch (host.dtype()) {
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    target.putInt(4 * i, (src.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    target.putFloat(4 * i, DTypeConversions.f16ToFloat(src.getShort(2 * i)));
                }
            }
            default -> {
                float[] values = host.toFloatArray();
                for (int i = 0; i < n; i++) {
                    target.putFloat(4 * i, values[i]);
                }
            }
        }
    }

    /**
     * Copies a staged tensor into the manager. On the CPU, DJL wraps a direct buffer without copying, so the array
     * is duplicated and the view closed: the group then owns its memory, as it would on a device.
     */
    private NDArray upload(NDManager manager, String key, Staged staged) {
        transferred.addAndGet(staged.storedBytes());
        NDArray array = manager.create(staged.bytes(), new Shape(staged.shape()), staged.type());
        if (!array.getDevice().isGpu()) {
            NDArray view = array;
            array = view.duplicate();
            view.close();
        }
        array.setName(key);
        return array;
    }

    /** Frees every group still held and waits for a staging in flight. */
    @Override
    public void close() {
        try {
            awaitStaging();
        } catch (RuntimeException ignored) {
            // the step that needed it already failed or never ran
        }
        managers.values().forEach(NDManager::close);
        managers.clear();
        held.clear();
    }
}
