package io.github.wananimate.onnx;

import io.github.wananimate.io.CpuCores;
import io.github.wananimate.io.OrtNativeFiles;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.RunOptions;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Device;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs networks in ONNX Runtime: each network's forward pass is recorded as an ONNX graph per set of input
 * shapes ({@link OnnxGraphRecorder}) and executed on the CPU or the CUDA execution provider.
 */
public final class OnnxBackend implements Backend {

    /**
     * System property: {@code true} lets ONNX Runtime prepack weights on the CPU (faster GEMMs, but one extra copy
     * of every MatMul/Gemm weight). Off by default so that weights stay shared with the checkpoint's memory.
     */
    public static final String PREPACK_PROPERTY = "wananimate.onnx.prepack";
    private static final boolean PREPACK_WEIGHTS = Boolean.getBoolean(PREPACK_PROPERTY);

    /**
     * System property: a file prefix; when set, every session writes ONNX Runtime's per-node profile (Chrome trace
     * JSON, {@code <prefix>_<n>_<date>.json}, {@code n} counting the process's sessions) when it closes. For finding
     * where a network's time goes.
     */
    public static final String PROFILE_PROPERTY = "wananimate.onnx.profile";
    /** ONNX Runtime names a profile by the second its session started, so the sessions of a cut forward collided. */
    private static final AtomicInteger PROFILED_SESSIONS = new AtomicInteger();

    /**
     * System property choosing how CPU sessions allocate their intermediates ({@link CpuArena}): {@code shared} (the
     * default), {@code true}, {@code shrink} or {@code false}.
     */
    public static final String ARENA_PROPERTY = "wananimate.onnx.arena";
    private static final CpuArena CPU_ARENA = CpuArena.parse(System.getProperty(ARENA_PROPERTY));
    /** Read only where it matters ({@link #cutsAtReleasedInputs}): with the arena off. */
    private static final boolean ON_JEMALLOC = CPU_ARENA == CpuArena.OFF && runsOnJemalloc();

    /**
     * ONNX Runtime's CPU memory arena. Measured on a VAE decode (480x832, dim 96, 5 frames; see the README, stop 26,
     * one process each within the hour): {@link #SHARED} 69.7 s / 10741 MiB, {@link #ON} 68.5-71.2 s /
     * 13450-13518 MiB; at 256x256 with dim 96 {@link #SHARED} 8.8 s / 2662 MiB, {@link #ON} 8.6-8.8 s /
     * 3510-3552 MiB. Earlier (stop 23): {@link #ON} 60.0 s / 13451 MiB, {@link #SHRINK} 70.9 s / 12346 MiB,
     * {@link #OFF} 115.8 s / 11195 MiB.
     */
    enum CpuArena {
        /** An arena per session (per input shape of every network), kept between runs. */
        ON,
        /**
         * The arena, and at the end of every run its regions that hold nothing go back to the system (ONNX Runtime's
         * {@code memory.enable_memory_arena_shrinkage} run option): what one session grew stops counting while the
         * next session runs, at the cost of growing it again on the next run.
         */
        SHRINK,
        /** No arena: each intermediate is freed as it dies; large ones are fresh mappings faulted in on every use. */
        OFF,
        /**
         * One arena for every session of the process ({@link SharedCpuArena}), so that what one session frees serves
         * the next, and forwards cut where they release an input ({@link #cutsAtReleasedInputs}); {@link #ON} where
         * it cannot be registered.
         */
        SHARED;

        static CpuArena parse(String value) {
            if (value == null || value.isBlank() || value.equalsIgnoreCase("shared")) {
                return SHARED;
            }
            if (value.equalsIgnoreCase("true")) {
                return ON;
            }
            if (value.equalsIgnoreCase("shrink")) {
                return SHRINK;
            }
            if (value.equalsIgnoreCase("false")) {
                return OFF;
            }
            throw new IllegalArgumentException("system property " + ARENA_PROPERTY + " must be shared, true, shrink "
                    + "or false, got '" + value + "'");
        }
    }

    private final OrtEnvironment environment;
    private final String device;
    private final int cudaDevice;
    private final int intraOpThreads;
    private final OnnxGraphRecorder.Options recorderOptions;
    private final CpuArena cpuArena;
    private final boolean onJemalloc;
    /** Whether CPU sessions allocate from the process's shared arena ({@link CpuArena#SHARED}, registered). */
    private final boolean sharedArena;
    /** Options every run of this backend's sessions gets; null for ONNX Runtime's defaults. */
    private final RunOptions runOptions;
    private final Set<OnnxLoadedNetwork> loaded = ConcurrentHashMap.newKeySet();
    private final AtomicInteger copyAllRebuilds = new AtomicInteger();
    private volatile boolean closed;

    public OnnxBackend(BackendOptions options) {
        this(options, OnnxGraphRecorder.Options.defaults());
    }

    public OnnxBackend(BackendOptions options, OnnxGraphRecorder.Options recorderOptions) {
        this(options, recorderOptions, CPU_ARENA, ON_JEMALLOC);
    }

    /**
     * @param onJemalloc whether the process allocates with jemalloc ({@link #runsOnJemalloc}), which decides
     *     {@link #cutsAtReleasedInputs}
     */
    OnnxBackend(BackendOptions options, OnnxGraphRecorder.Options recorderOptions, CpuArena cpuArena,
            boolean onJemalloc) {
        Objects.requireNonNull(options, "options");
        this.cpuArena = Objects.requireNonNull(cpuArena, "cpuArena");
        this.onJemalloc = onJemalloc;
        this.recorderOptions = Objects.requireNonNull(recorderOptions, "recorderOptions");
        this.environment = OrtNativeFiles.load(OrtEnvironment::getEnvironment);
        this.intraOpThreads = options.intraOpThreads();
        Device target = options.device();
        cudaDevice = target.isCuda() ? target.index() : -1;
        device = target.toString();
        if (target.isCuda()) {
            checkCuda();
        }
        runOptions = cudaDevice < 0 && cpuArena == CpuArena.SHRINK ? shrinkingRunOptions() : null;
        sharedArena = cudaDevice < 0 && cpuArena == CpuArena.SHARED && SharedCpuArena.register(environment);
    }

    private static RunOptions shrinkingRunOptions() {
        RunOptions options = null;
        try {
            options = new RunOptions();
            options.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
            return options;
        } catch (OrtException e) {
            if (options != null) {
                options.close();
            }
            throw new IllegalStateException("ONNX Runtime refused the arena shrinkage run option: " + e.getMessage(),
                    e);
        }
    }

    private void checkCuda() {
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            throw new IllegalStateException("device " + device + " needs ONNX Runtime's CUDA execution provider, "
                    + "but this ONNX Runtime build offers only " + providers
                    + " (use the com.microsoft.onnxruntime:onnxruntime_gpu artifact)");
        }
        try (SessionOptions probe = new SessionOptions()) {
            probe.addCUDA(cudaDevice);
        } catch (OrtException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("the CUDA execution provider of ONNX Runtime cannot be started for "
                    + device + " (it needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the library path): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public String device() {
        return device;
    }

    boolean onCuda() {
        return cudaDevice >= 0;
    }

    OrtEnvironment environment() {
        return environment;
    }

    /**
     * Whether CPU forwards are cut into sessions where they release a graph input
     * ({@link OnnxGraphRecorder#cutAtReleasedInputs}), so that a VAE chunk's handed-over cache is freed in steps
     * instead of at the end of the call: where what one segment frees can serve the next, i.e. with the shared arena,
     * or without an arena on jemalloc. An arena per session keeps what its segment freed; glibc gives each of the
     * sessions' threads heaps of its own, and the cuts made its arena-off decode larger and slower (256x256 dim 16:
     * 759-782 MiB, 2473-2655 ms against 626-631 MiB, 2034-2409 ms uncut), while jemalloc, keeping its freed pages
     * for any thread, made it smaller at about the same time (README, stop 25). Those sessions run without spinning
     * threads ({@link #newSessionOptions}).
     */
    boolean cutsAtReleasedInputs() {
        return !onCuda() && (cpuArena == CpuArena.OFF && onJemalloc || sharedArena);
    }

    /** Whether jemalloc is mapped into this process ({@code LD_PRELOAD}), read from {@code /proc/self/maps}. */
    static boolean runsOnJemalloc() {
        return mapsJemalloc(MappedFiles.lines().stream());
    }

    /** {@link #runsOnJemalloc} on the lines of a {@code /proc/<pid>/maps} listing. */
    static boolean mapsJemalloc(Stream<String> mapsLines) {
        return mapsLines.map(MappedFiles::path).map(path -> path.substring(path.lastIndexOf('/') + 1))
                .anyMatch(file -> file.startsWith("libjemalloc.so"));
    }

    /** What every session run of this backend passes to ONNX Runtime; null for its defaults. */
    RunOptions runOptions() {
        return runOptions;
    }

    OnnxGraphRecorder.Options recorderOptions() {
        return recorderOptions;
    }

    /**
     * Fresh options for one session: full graph optimisation, thread count, execution provider.
     *
     * @param spinning whether the session's threads spin for a while after a run, waiting for the next one (ONNX
     *     Runtime's default). Off for sessions that run one after another in a cut forward, where each session's
     *     spinning threads take the cores from the next: measured on a VAE decode cut at every release (256x256, dim
     *     16, 17 frames, jemalloc, arena off) 3552 ms with spinning against 1746-1781 ms without.
     */
    SessionOptions newSessionOptions(boolean spinning) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads > 0 ? intraOpThreads : CpuCores.physical());
            String profile = System.getProperty(PROFILE_PROPERTY);
            if (profile != null && !profile.isBlank()) {
                options.enableProfiling(profile + "_" + PROFILED_SESSIONS.incrementAndGet());
            }
            if (!onCuda() && !PREPACK_WEIGHTS) {
                // Prepacking gives MatMul/Gemm/Conv a private re-laid-out copy of each constant weight, even of
                // shared initializers (measured on ORT 1.23.2): twice the weight memory on the CPU.
                options.addConfigEntry("session.disable_prepacking", "1");
            }
            if (!onCuda() && cpuArena == CpuArena.OFF) {
                options.setCPUArenaAllocator(false);
            }
            if (sharedArena) {
                options.addConfigEntry("session.use_env_allocators", "1");
            }
            if (!spinning) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            if (!onCuda()) {
                // A memory pattern is traced on the first run and allocated as one block on the next, while the arena
                // keeps the first run's blocks too: measured on the VAE decoder (256x256, dim 16), resident memory
                // grew by the whole activation set again on the second run (886 -> 1309 MiB); without the pattern the
                // arena reuses freed blocks and stays at the first run's size (894 -> 926 MiB), no slower.
                options.setMemoryPatternOptimization(false);
            }
            if (onCuda()) {
                options.addCUDA(cudaDevice);
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Copies {@code host} as float32 into a buffer that sessions of this backend read in place. */
    @Override
    public DeviceTensor upload(HostTensor host) {
        try {
            return OnnxDeviceTensor.copyOf(this, host);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot hold a tensor " + Shapes.toString(host.shape())
                    + " on " + device + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        if (closed) {
            throw new IllegalStateException("the onnx backend on " + device + " is closed");
        }
        return load(network, weights, Set.of());
    }

    /**
     * Streams the named groups: the forward runs as a sequence of sessions cut around the chain steps that read
     * them, and each streamed step's session is built with its group's weights for one run and closed after it (see
     * {@link OnnxLoadedNetwork}). An earlier version fed streamed groups as graph inputs of one session; that did
     * not bound memory (ONNX Runtime held every input of the run at once).
     */
    @Override
    public LoadedNetwork load(Network network, ParameterSource weights, Set<String> streamedGroups) {
        if (closed) {
            throw new IllegalStateException("the onnx backend on " + device + " is closed");
        }
        Map<String, String> streamedKeys = ParameterBinding.streamedKeys(network, streamedGroups);
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        OnnxLoadedNetwork result = new OnnxLoadedNetwork(this, network, prepared, streamedKeys);
        loaded.add(result);
        return result;
    }

    /** True: see {@link #load(Network, ParameterSource, Set)}. */
    @Override
    public boolean streamsParameterGroups() {
        return true;
    }

    /**
     * On the CPU: float8 weights are fed as codes ({@link OnnxGraphRecorder}). Not on CUDA, where resident ones are bound
     * dequantised.
     */
    @Override
    public boolean keepsFloat8Codes() {
        return !onCuda();
    }

    /**
     * On CUDA a reduced-precision weight is bound in its stored dtype ({@link RecordedGraph#lowPrecisionKernels});
     * the CPU provider binds float32 holding the rounded values.
     */
    @Override
    public int heldBytesPerElement(DType stored) {
        return onCuda() ? stored.byteSize() : DType.F32.byteSize();
    }

    void countCopyAllRebuild() {
        copyAllRebuilds.incrementAndGet();
    }

    /**
     * How many sessions of this backend's networks had to be built a second time with every weight copied, because
     * an ONNX Runtime optimiser wanted the data of a weight shared from memory (zero when the recorder's
     * allow-list of shareable weights holds).
     */
    int copyAllRebuilds() {
        return copyAllRebuilds.get();
    }

    void forget(OnnxLoadedNetwork network) {
        loaded.remove(network);
    }

    /** Closes every network loaded through this backend that is still open. */
    @Override
    public void close() {
        closed = true;
        for (OnnxLoadedNetwork network : loaded.toArray(OnnxLoadedNetwork[]::new)) {
            network.close();
        }
        if (runOptions != null) {
            runOptions.close();
        }
    }
}
