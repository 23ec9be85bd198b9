package io.github.wananimate.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes networks eagerly on DJL NDArrays (PyTorch engine) on one device. Owns a root {@link NDManager};
 * each loaded network gets a child manager for its weights.
 */
public final class DjlBackend implements Backend {

    /** Largest attention score matrix (bytes) computed in one piece on a GPU; larger ones are split by queries. */
    public static final long DEFAULT_ATTENTION_CHUNK_BYTES = 256L << 20;
    /**
     * The same budget on the CPU. Smaller because glibc serves blocks above its mmap threshold (at most 32 MiB)
     * with fresh mappings that the kernel must fault in and zero on every call, while smaller blocks are reused:
     * 16 MiB chunks cut the DiT bench's attention time by about a third.
     */
    public static final long CPU_ATTENTION_CHUNK_BYTES = 16L << 20;

    /**
     * System property: a file; when set, PyTorch's profiler records every op (with input shapes and memory) from
     * the backend's creation until it closes and then writes its Chrome trace JSON there. For finding where a
     * network's time goes; PyTorch has one profiler per process, so only one backend at a time may profile.
     */
    public static final String PROFILE_PROPERTY = "wananimate.djl.profile";

    private static final Logger LOG = LoggerFactory.getLogger(DjlBackend.class);

    private final Device device;
    private final String deviceName;
    private final NDManager root;
    private final long attentionChunkBytes;
    private final String profile = System.getProperty(PROFILE_PROPERTY);
    private final GlibcHeap heap = GlibcHeap.fromSystemProperty();

    DjlBackend(BackendOptions options) {
        this(options, 0);
    }

    /** @param attentionChunkBytes score-matrix budget of one attention piece; 0 for the device's default */

    DjlBackend(BackendOptions options, long attentionChunkBytes) {
        Engine engine = Engine.getEngine(DjlBackendProvider.ENGINE);
        this.device = parseDevice(options.device(), engine);
        this.deviceName = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        this.attentionChunkBytes = attentionChunkBytes > 0 ? attentionChunkBytes
                : device.isGpu() ? DEFAULT_ATTENTION_CHUNK_BYTES : CPU_ATTENTION_CHUNK_BYTES;
        if (options.intraOpThreads() > 0) {
            // process-wide in PyTorch: the last backend opened with an explicit count wins
            JniUtils.setNumThreads(options.intraOpThreads());
        }
        this.root = NDManager.newBaseManager(device, DjlBackendProvider.ENGINE);
        if (profile != null) {
            JniUtils.startProfile(device.isGpu(), true, true);
        }
        LOG.debug("DJL backend on {} (PyTorch {})", deviceName, engine.getVersion());
    }

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public String device() {
        return deviceName;
    }

    /**
     * Ends a run: on the CPU, trims glibc's heaps as {@code -Dwananimate.djl.trimHeap} says ({@link GlibcHeap}).
     *
     * @param consumed whether the run consumed device inputs
     */
    void afterRun(boolean consumed) {
        if (!device.isGpu()) {
            heap.afterRun(consumed);
        }
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        return new DjlLoadedNetwork(network, prepared, root.newSubManager(), attentionChunkBytes, this, Map.of());
    }

    /** Streams the named groups from {@code weights} per chain step, the next group prefetched on a thread. */
    @Override
    public LoadedNetwork load(Network network, ParameterSource weights, Set<String> streamedGroups) {
        Map<String, String> streamed = ParameterBinding.streamedKeys(network, streamedGroups);
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        return new DjlLoadedNetwork(network, prepared, root.newSubManager(), attentionChunkBytes, this, streamed);
    }

    @Override
    public boolean streamsParameterGroups() {
        return true;
    }

    /** True: {@link DeviceWeight} holds {@code UINT8} codes and their table. */
    @Override
    public boolean keepsFloat8Codes() {
        return true;
    }

    /** {@link ArrayForm#heldBytesPerElement}: F16 in two bytes, BF16 (emulated) and F32 in four. */
    @Override
    public int heldBytesPerElement(DType stored) {
        return ArrayForm.heldBytesPerElement(stored);
    }

    /** Copies {@code host} to this backend's device as float32, in a manager of its own. */
    @Override
    public DeviceTensor upload(HostTensor host) {
        NDManager own = newResidentManager();
        try {
            NDArray array = own.create(host.asFloatBuffer(), new Shape(host.shape()), DataType.FLOAT32);
            return DjlDeviceTensor.created(this, own, array);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** A manager for one {@link DjlDeviceTensor}: a child of the root, so closing the backend frees it too. */
    NDManager newResidentManager() {
        return root.newSubManager();
    }

    /** Closes every network and every device tensor of this backend still open. */
    @Override
    public void close() {
        root.close();
        if (profile != null) {
            JniUtils.stopProfile(profile);
            LOG.info("PyTorch profile written to {}", profile);
        }
    }

    /** DJL's device for {@code spec}; a CUDA device must be present. */
    static Device parseDevice(io.github.wananimate.spi.Device spec, Engine engine) {
        if (spec.isCpu()) {
            return Device.cpu();
        }
        int id = spec.index();
        int gpus = engine.getGpuCount();
        if (id >= gpus) {
            throw new IllegalStateException("device '" + spec + "' requested, but the PyTorch " + engine.getVersion()
                    + " engine sees " + gpus + " CUDA device(s)"
                    + (gpus == 0 ? " (no CUDA driver, or a CPU-only pytorch-native jar on the classpath)" : ""));
        }
        return Device.gpu(id);
    }
}
