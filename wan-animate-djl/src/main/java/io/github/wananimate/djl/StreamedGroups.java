package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The weights of one forward call when some parameter groups stream: resident keys come from the network, a
 * streamed group is uploaded from the host source into a manager of its own when its step starts (or when first
 * read outside a step) and that manager is closed when the step ends. While a step computes, the next step's group
 * is uploaded on {@code prefetcher}: reading the mapped pages, the copy and the widening to float32 overlap the
 * step (on a GPU the copy itself runs on PyTorch's current stream).
 *
 * <p>bf16 / f16 weights are widened on the host into a per-thread scratch buffer that is reused, then copied; each
 * upload adds the stored bytes to {@code transferred}.
 */
final class StreamedGroups implements DjlParameters, AutoCloseable {

    private final Function<String, NDArray> resident;
    private final Map<String, String> streamedKeys;
    private final Map<String, List<String>> groupKeys;
    private final ParameterSource weights;
    private final NDManager parent;
    private final ExecutorService prefetcher;
    private final AtomicLong transferred;
    private final Map<String, Held> held = new HashMap<>();
    private final Map<String, Future<Held>> pending = new HashMap<>();

    private record Held(NDManager manager, Map<String, NDArray> arrays) {
    }

    StreamedGroups(Function<String, NDArray> resident, Map<String, String> streamedKeys,
            Map<String, List<String>> groupKeys, ParameterSource weights, NDManager parent, ExecutorService prefetcher,
            AtomicLong transferred) {
        this.resident = resident;
        this.streamedKeys = streamedKeys;
        this.groupKeys = groupKeys;
        this.weights = weights;
        this.parent = parent;
        this.prefetcher = prefetcher;
        this.transferred = transferred;
    }

    @Override
    public NDArray get(String key) {
        String group = streamedKeys.get(key);
        if (group == null) {
            return resident.apply(key);
        }
        return obtain(group).arrays().get(key);
    }

    @Override
    public void enterStep(String group, String next) {
        if (group != null && groupKeys.containsKey(group)) {
            obtain(group);
        }
        if (next != null && groupKeys.containsKey(next) && !held.containsKey(next) && !pending.containsKey(next)) {
            pending.put(next, prefetcher.submit(() -> upload(next)));
        }
    }

    @Override
    public void exitStep(String group) {
        Held h = group == null ? null : held.remove(group);
        if (h != null) {
            h.manager().close();
        }
    }

    private Held obtain(String group) {
        Held h = held.get(group);
        if (h != null) {
            return h;
        }
        Future<Held> future = pending.remove(group);
        if (future != null) {
            try {
                h = future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while uploading parameter group " + group, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("uploading parameter group " + group + " failed: "
                        + e.getCause().getMessage(), e.getCause());
            }
        } else {
            h = upload(group);
        }
        held.put(group, h);
        return h;
    }

    private Held upload(String group) {
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> arrays = new HashMap<>();
            for (String key : groupKeys.get(group)) {
                arrays.put(key, upload(manager, key, weights.get(key)));
            }
            return new Held(manager, arrays);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    private NDArray upload(NDManager manager, String key, HostTensor host) {
        transferred.addAndGet(host.byteSize());
        NDArray array = manager.create(widened(host), new Shape(host.shape()), DataType.FLOAT32);
        if (!array.getDevice().isGpu()) {
            // on the CPU the array is a view of the buffer (DJL wraps a direct buffer without copying): copy it, so
            // the scratch buffer can be reused and the group owns its memory as it would on a device
            NDArray view = array;
            array = view.duplicate();
            view.close();
        }
        array.setName(key);
        return array;
    }

    /**
     * The tensor as float32 bytes in a direct buffer: the mapped bytes themselves when stored so, else widened into
     * this thread's scratch buffer (reused, so streaming allocates no host copy per group). DJL 0.36 cannot create a bf16 array from a
     * buffer (the native call aborts the process), so the widening happens here rather than on the device.
     */
    private static ByteBuffer widened(HostTensor host) {
        if (host.dtype() == DType.F32 && host.data().isDirect()) {
            return host.data();
        }
        if (host.dtype() != DType.BF16 && host.dtype() != DType.F16) {
            return host.toF32().data();
        }
        int n = Math.toIntExact(host.elementCount());
        ByteBuffer scratch = SCRATCH.get();
        if (scratch.capacity() < 4L * n) {
            scratch = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            SCRATCH.set(scratch);
        }
        ByteBuffer src = host.data();
        boolean bf16 = host.dtype() == DType.BF16;
        for (int i = 0; i < n; i++) {
            short bits = src.getShort(2 * i);
            scratch.putFloat(4 * i, bf16 ? Float.intBitsToFloat((bits & 0xffff) << 16)
                    : DTypeConversions.f16ToFloat(bits));
        }
        return scratch.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(4 * n);
    }

    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    /** Frees every group still held or in flight. */
    @Override
    public void close() {
        held.values().forEach(h -> h.manager().close());
        held.clear();
        for (Future<Held> future : pending.values()) {
            try {
                future.get().manager().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // the step that needed it already failed or never ran
            }
        }
        pending.clear();
    }
}
