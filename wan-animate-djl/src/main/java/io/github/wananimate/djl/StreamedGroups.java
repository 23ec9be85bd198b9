package io.github.wananimate.djl;

import ai.djl.ndarray.NDManager;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
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
 * <p>Overlap: while a step computes, {@code stager} prepares the next step's group on the host: it reads the mapped
 * checkpoint pages and writes each tensor in its array form ({@link ArrayForm}) into one native block per group
 * (JNA {@link Memory}: malloc'd, freed explicitly, never left to the garbage collector; a block whose group is done
 * is kept for the next group that fits in it and freed with this object, so a forward touches fresh pages for two
 * blocks rather than one per group; a spare block that does not fit the next group is freed, never hoarded). The
 * upload itself happens
 * on the calling thread when the next step starts, so every PyTorch call stays on the thread that runs the network;
 * on the CPU the arrays wrap the block without a copy and the block is freed after the step, on a GPU the block is
 * copied to the device and freed at once. So at most two groups are held: the step's own and the next one. Each
 * upload adds the stored bytes to {@code transferred}.
 */
final class StreamedGroups implements DjlParameters, AutoCloseable {

    private final Function<ParameterSpec, DeviceWeight> resident;
    private final Map<String, String> streamedKeys;
    /** Streamed key → the dtype the network stores it in. */
    private final Map<String, DType> storedDtypes;
    private final Map<String, List<String>> groupKeys;
    private final ParameterSource weights;
    private final NDManager parent;
    private final ExecutorService stager;
    private final AtomicLong transferred;
    private final Map<String, Map<String, DeviceWeight>> held = new HashMap<>();
    private final Map<String, NDManager> managers = new HashMap<>();
    /** Host blocks of the groups uploaded and not yet released (CPU: the arrays wrap them). */
    private final Map<String, Memory> blocks = new HashMap<>();
    /** The block of the last group done, for the next group to reuse (the stager takes it, the caller returns it). */
    private Memory spare;
    /** The group being staged on {@link #stager}. */
    private String stagingGroup;
    private Future<StagedGroup> staging;

    /** Offsets of tensors in a block: a multiple of this, as PyTorch's CPU allocator aligns its own. */
    private static final int ALIGNMENT = 64;

    private record Staged(ArrayForm form, ByteBuffer bytes) {
    }

    /** A group's tensors in their array form, in one native block. */
    private record StagedGroup(Memory block, Map<String, Staged> tensors) {
    }

    StreamedGroups(Function<ParameterSpec, DeviceWeight> resident, Map<String, String> streamedKeys,
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
    public DeviceWeight get(ParameterSpec spec) {
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
        Memory block = group == null ? null : blocks.remove(group);
        if (block != null) {
            giveBack(block);
        }
    }

    private Map<String, DeviceWeight> obtain(String group) {
        Map<String, DeviceWeight> arrays = held.get(group);
        if (arrays != null) {
            return arrays;
        }
        StagedGroup staged;
        if (group.equals(stagingGroup)) {
            staged = awaitStaging();
        } else {
            discard(awaitStaging());   // a stale prefetch (the step order changed): not needed now
            staged = stage(group);
        }
        NDManager manager = parent.newSubManager();
        try {
            arrays = new HashMap<>();
            for (Map.Entry<String, Staged> e : staged.tensors().entrySet()) {
                arrays.put(e.getKey(), upload(manager, e.getKey(), e.getValue()));
            }
        } catch (RuntimeException | Error e) {
            manager.close();
            staged.block().close();
            throw e;
        }
        if (parent.getDevice().isGpu()) {
            giveBack(staged.block());   // copied to the device
        } else {
            blocks.put(group, staged.block());
        }
        managers.put(group, manager);
        held.put(group, arrays);
        return arrays;
    }

    private static void discard(StagedGroup staged) {
        if (staged != null) {
            staged.block().close();
        }
    }

    private StagedGroup awaitStaging() {
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

    /** The group's tensors in their array form, written into a native block of its own. */
    private StagedGroup stage(String group) {
        Map<String, ArrayForm> tensors = new LinkedHashMap<>();
        long total = 0;
        for (String key : groupKeys.get(group)) {
            ArrayForm form = ArrayForm.of(weights, key, storedDtypes.get(key));
            tensors.put(key, form);
            total += align(form.byteSize());
        }
        Memory block = spareOrNew(Math.max(total, 1) + ALIGNMENT);
        try {
            long base = align(Pointer.nativeValue(block)) - Pointer.nativeValue(block);
            Map<String, Staged> staged = new LinkedHashMap<>();
            long offset = base;
            for (Map.Entry<String, ArrayForm> e : tensors.entrySet()) {
                ArrayForm form = e.getValue();
                long size = form.byteSize();
                ByteBuffer bytes = block.getByteBuffer(offset, size).order(ByteOrder.LITTLE_ENDIAN);
                form.write(bytes);
                staged.put(e.getKey(), new Staged(form, bytes));
                offset += align(size);
            }
            return new StagedGroup(block, staged);
        } catch (RuntimeException | Error e) {
            block.close();
            throw e;
        }
    }

    /** The spare block if it holds {@code size} bytes, else a new one (a spare that is too small is freed). */
    private Memory spareOrNew(long size) {
        Memory block;
        synchronized (this) {
            block = spare;
            spare = null;
        }
        if (block != null && block.size() >= size) {
            return block;
        }
        if (block != null) {
            block.close();
        }
        return new Memory(size);
    }

    /** Keeps {@code block} as the spare (freeing the one it replaces). */
    private void giveBack(Memory block) {
        Memory replaced;
        synchronized (this) {
            replaced = spare;
            spare = block;
        }
        if (replaced != null) {
            replaced.close();
        }
    }

    private static long align(long value) {
        return (value + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The staged tensor as an array of the manager: on the CPU over the block's bytes, on a GPU a device copy. */
    private DeviceWeight upload(NDManager manager, String key, Staged staged) {
        transferred.addAndGet(staged.form().storedBytes());
        return staged.form().upload(manager, staged.bytes(), key);
    }

    /** Frees every group still held and waits for a staging in flight. */
    @Override
    public void close() {
        try {
            discard(awaitStaging());
        } catch (RuntimeException ignored) {
            // the step that needed it already failed or never ran
        }
        managers.values().forEach(NDManager::close);
        managers.clear();
        held.clear();
        blocks.values().forEach(Memory::close);
        blocks.clear();
        giveBack(null);
    }
}
