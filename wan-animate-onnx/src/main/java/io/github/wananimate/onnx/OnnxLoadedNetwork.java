package io.github.wananimate.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network bound to its weights in ONNX Runtime. The forward pass is recorded and compiled into one session
 * per set of input names and shapes; sessions are cached (least recently used beyond
 * {@value #MAX_SESSIONS}).
 *
 * <p>Weights never enter the serialised model. Each parameter is declared in the graph as an initializer whose
 * data is "external" (a placeholder location that is never opened) and the session receives the tensor from
 * memory, an {@link OnnxTensor} over the checkpoint's float32 buffer (zero-copy for memory-mapped F32; BF16 /
 * F16 are converted once and kept). Measured with ORT 1.23.2 on CPU:
 * <ul>
 * <li>{@code SessionOptions.addInitializer} (shared initializers) uses the caller's buffer as is, but graph
 *     optimisers never see the data: any optimiser that reads it (constant folding, the NCHWc rewrite of Conv
 *     weights, ConvAddFusion folding an Add's {@code [1, C, 1, 1]} operand into the Conv bias, …) tries to open
 *     the placeholder file instead and the session fails ("cannot get file size");</li>
 * <li>{@code SessionOptions.addExternalInitializers} copies the data while the session is built and the
 *     optimisers can read it;</li>
 * <li>{@code addExternalInitializers} rejects a plain initializer without data ("Trying to replace non-external
 *     initializer with external data"), hence the external placeholder; the name must not be a graph input.</li>
 * </ul>
 * So on the CPU only the weights the recorder proves no optimiser reads ({@link RecordedGraph#shareableInitializers}:
 * the weight operands of MatMul / Gemm fed by the graph inputs, which hold nearly all of a transformer's bytes)
 * go through {@code addInitializer} (no copy); every other weight goes through {@code addExternalInitializers}.
 * Should an optimiser still ask for the placeholder file, the session is rebuilt once with every weight copied and
 * a warning names the network ({@link OnnxBackend#copyAllRebuilds()} counts these). CUDA binds
 * everything with {@code addExternalInitializers}: the session copies the weights into device memory, which it
 * must do anyway. The {@link OnnxTensor}s live as long as this network; every session using them closes first.
 */
final class OnnxLoadedNetwork implements LoadedNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxLoadedNetwork.class);
    static final int MAX_SESSIONS = 16;

    private final OnnxBackend backend;
    private final Network network;
    private final ParameterSource weights;
    private final AtomicLong transferred = new AtomicLong();
    private final Map<String, OnnxTensor> boundParameters = new HashMap<>();
    private final LinkedHashMap<String, CompiledGraph> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private int sessionBuilds;
    private boolean closed;

    /** A session together with what it needs alive: its recorded graph and its own bound constants. */
    private record CompiledGraph(OrtSession session, RecordedGraph graph, List<OnnxTensor> constants) {

        void close() {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing an ONNX Runtime session failed", e);
            }
            constants.forEach(OnnxTensor::close);
        }
    }

    OnnxLoadedNetwork(OnnxBackend backend, Network network, ParameterSource preparedWeights) {
        this.backend = backend;
        this.network = network;
        this.weights = preparedWeights;
    }

    @Override
    public String name() {
        return network.name();
    }

    @Override
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        return run(inputs, Map.of(), name -> false).host();
    }

    /**
     * Outputs kept on the device stay the values ONNX Runtime allocated (no copy; closing the handle returns the memory
     * to the session at once); the others are copied to the host and released. Device inputs of this backend are fed
     * as they are.
     */
    @Override
    public synchronized RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice) {
        LoadedNetwork.checkInputs(name(), inputs, deviceInputs);
        Objects.requireNonNull(keepOnDevice, "keepOnDevice");
        if (closed) {
            throw new IllegalStateException("network " + name() + " on the onnx backend is closed");
        }
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            DType dtype = e.getValue().dtype();
            if (dtype != DType.F32 && dtype != DType.F64 && dtype != DType.BF16 && dtype != DType.F16) {
                throw new IllegalArgumentException(name() + ": input '" + e.getKey() + "' has dtype " + dtype
                        + "; networks take floating-point inputs (F32, F64, BF16, F16)");
            }
        }
        Map<String, long[]> shapes = new HashMap<>();
        inputs.forEach((n, t) -> shapes.put(n, t.shape()));
        deviceInputs.forEach((n, t) -> shapes.put(n, t.shape()));
        CompiledGraph compiled = compiledFor(shapes);
        List<OnnxTensor> feeds = new ArrayList<>();
        Map<String, OnnxDeviceTensor> written = new LinkedHashMap<>();
        boolean done = false;
        try {
            Map<String, OnnxTensor> feedMap = new HashMap<>();
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                OnnxTensor t = OnnxTensor.createTensor(backend.environment(), e.getValue().asFloatBuffer(),
                        e.getValue().shape());
                feeds.add(t);
                feedMap.put(compiled.graph().inputNames().get(e.getKey()), t);
                transferred.addAndGet(e.getValue().elementCount() * Float.BYTES);
            }
            for (Map.Entry<String, DeviceTensor> e : deviceInputs.entrySet()) {
                OnnxTensor own = e.getValue() instanceof OnnxDeviceTensor d ? d.tensorFor(backend) : null;
                if (own == null) {
                    HostTensor host = e.getValue().toHost();
                    own = OnnxTensor.createTensor(backend.environment(), host.asFloatBuffer(), host.shape());
                    feeds.add(own);
                    transferred.addAndGet(host.elementCount() * Float.BYTES);
                }
                feedMap.put(compiled.graph().inputNames().get(e.getKey()), own);
            }
            OrtSession.Result result = compiled.session().run(feedMap);
            // The result only collects the values; each is closed on its own below (or by its handle).
            Map<String, DeviceTensor> device = new LinkedHashMap<>();
            Map<String, HostTensor> host = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, String> out : compiled.graph().outputNames().entrySet()) {
                    OnnxTensor value = (OnnxTensor) result.get(out.getValue()).orElseThrow(() ->
                            new IllegalStateException(name() + ": ONNX Runtime returned no output '" + out.getKey()
                                    + "'"));
                    long[] expected = compiled.graph().outputShapes().get(out.getKey());
                    OnnxDeviceTensor t = new OnnxDeviceTensor(backend, expected, value);
                    written.put(out.getKey(), t);
                    if (!Arrays.equals(value.getInfo().getShape(), expected)) {
                        throw new IllegalStateException(name() + ": output '" + out.getKey() + "' came back as "
                                + Shapes.toString(value.getInfo().getShape()) + " but was recorded as "
                                + Shapes.toString(expected));
                    }
                }
            } finally {
                for (OnnxValue v : collectValues(result)) {
                    if (written.values().stream().noneMatch(t -> t.owns(v))) {
                        v.close();
                    }
                }
            }
            for (Map.Entry<String, OnnxDeviceTensor> e : written.entrySet()) {
                if (keepOnDevice.test(e.getKey())) {
                    device.put(e.getKey(), e.getValue());
                } else {
                    HostTensor h = e.getValue().releaseToHost();
                    transferred.addAndGet(h.byteSize());
                    host.put(e.getKey(), h);
                }
            }
            done = true;
            return new RunOutputs(host, device);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run " + name() + " on " + backend.device()
                    + " for inputs " + describe(shapes) + ": " + e.getMessage(), e);
        } finally {
            feeds.forEach(OnnxTensor::close);
            if (!done) {
                DeviceTensor.closeAll(written.values());
            }
        }
    }

    private CompiledGraph compiledFor(Map<String, long[]> inputs) {
        String key = describe(inputs);
        CompiledGraph cached = sessions.get(key);
        if (cached != null) {
            return cached;
        }
        CompiledGraph built = build(inputs);
        sessions.put(key, built);
        sessionBuilds++;
        if (sessions.size() > MAX_SESSIONS) {
            Iterator<CompiledGraph> eldest = sessions.values().iterator();
            CompiledGraph evicted = eldest.next();
            eldest.remove();
            evicted.close();
        }
        return built;
    }

    /** Records the forward pass for the shapes of these inputs. */
    RecordedGraph record(Map<String, HostTensor> inputs) {
        Map<String, long[]> shapes = new HashMap<>();
        inputs.forEach((n, t) -> shapes.put(n, t.shape()));
        return recordShapes(shapes);
    }

    /** Records the forward pass for these input shapes. */
    RecordedGraph recordShapes(Map<String, long[]> inputs) {
        OnnxGraphRecorder recorder = new OnnxGraphRecorder(this::parameterShape, backend.recorderOptions(),
                backend.onCuda());
        Map<String, Tensor> symbolic = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : new TreeMap<>(inputs).entrySet()) {
            symbolic.put(e.getKey(), recorder.input(e.getKey(), e.getValue()));
        }
        Map<String, Tensor> outputs;
        try {
            outputs = network.forward(recorder, RequiredInputs.of(name(), symbolic));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot record " + name() + " for inputs " + describe(inputs) + ": "
                    + e.getMessage(), e);
        }
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalStateException(name() + " produced no outputs for inputs " + describe(inputs));
        }
        outputs.forEach(recorder::output);
        return recorder.finish(name());
    }

    private CompiledGraph build(Map<String, long[]> inputs) {
        long start = System.nanoTime();
        RecordedGraph graph = recordShapes(inputs);
        long recorded = System.nanoTime();
        CompiledGraph compiled;
        try {
            try {
                compiled = createSession(graph, false);
            } catch (OrtException e) {
                if (e.getMessage() == null || !e.getMessage().contains(OnnxModelWriter.EXTERNAL_LOCATION)) {
                    throw e;
                }
                LOG.warn("{}: an ONNX Runtime optimiser wanted the data of a weight shared from memory; building "
                        + "the session for {} again with every weight copied ({})", name(), describe(inputs),
                        e.getMessage());
                backend.countCopyAllRebuild();
                compiled = createSession(graph, true);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot build the graph of " + name() + " on "
                    + backend.device() + " for inputs " + describe(inputs) + ": " + e.getMessage(), e);
        }
        long built = System.nanoTime();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} on {}: graph for {} has {} nodes, {} parameters ({} bound initializers copied), {} bound "
                    + "constants, model {} bytes, fused attention {}; recorded in {} ms, session built in {} ms",
                    name(), backend.device(), describe(inputs), graph.nodeCount(), graph.parameters().size(),
                    graph.parameters().size() + graph.boundConstants().size()
                            - graph.shareableInitializers().size(), graph.boundConstants().size(), graph.model().length,
                    graph.usesFusedAttention(), (recorded - start) / 1_000_000, (built - recorded) / 1_000_000);
        }
        return compiled;
    }

    private CompiledGraph createSession(RecordedGraph graph, boolean copyAll) throws OrtException {
        List<OnnxTensor> constants = new ArrayList<>();
        try (SessionOptions options = backend.newSessionOptions()) {
            Map<String, OnnxTensorLike> fromMemory = new HashMap<>();
            for (Map.Entry<String, String> p : graph.parameters().entrySet()) {
                fromMemory.put(p.getKey(), boundParameter(p.getValue(), graph.parameterDTypes().get(p.getKey()),
                        graph.lowPrecisionKernels()));
            }
            for (Map.Entry<String, HostTensor> c : graph.boundConstants().entrySet()) {
                OnnxTensor t = OnnxTensor.createTensor(backend.environment(), c.getValue().asFloatBuffer(),
                        c.getValue().shape());
                constants.add(t);
                fromMemory.put(c.getKey(), t);
            }
            Map<String, OnnxTensorLike> copied = new HashMap<>();
            for (Map.Entry<String, OnnxTensorLike> e : fromMemory.entrySet()) {
                if (copyAll || backend.onCuda() || !graph.shareableInitializers().contains(e.getKey())) {
                    copied.put(e.getKey(), e.getValue());
                } else {
                    options.addInitializer(e.getKey(), e.getValue());
                }
            }
            if (!copied.isEmpty()) {
                options.addExternalInitializers(copied);
            }
            OrtSession session = backend.environment().createSession(graph.model(), options);
            return new CompiledGraph(session, graph, constants);
        } catch (OrtException | RuntimeException e) {
            constants.forEach(OnnxTensor::close);
            throw e;
        }
    }

    @Override
    public long hostDeviceBytes() {
        return transferred.get();
    }

    private long[] parameterShape(String key) {
        if (!weights.contains(key)) {
            throw new IllegalArgumentException(name() + " reads parameter '" + key + "' which "
                    + weights.description() + " does not provide");
        }
        return weights.shape(key);
    }

    /**
     * The tensor of a checkpoint key for stored dtype {@code stored}, created on first use and kept for this
     * network's lifetime: float32 (the mapped bytes themselves when the checkpoint is F32 and so is {@code stored},
     * else one converted copy holding the values rounded to {@code stored}); with {@code onWire}, the bytes in
     * {@code stored} itself (BF16 / F16 tensors for a provider with such kernels).
     */
    private OnnxTensor boundParameter(String key, DType stored, boolean onWire) throws OrtException {
        String cacheKey = stored == DType.F32 ? key : key + "@" + stored;
        OnnxTensor existing = boundParameters.get(cacheKey);
        if (existing != null) {
            return existing;
        }
        HostTensor host = weights.get(key);
        OnnxTensor tensor;
        if (stored == DType.F32 || stored == host.dtype() && !onWire) {
            FloatBuffer values = host.asFloatBuffer();   // the mapped bytes themselves when F32, else one conversion
            tensor = OnnxTensor.createTensor(backend.environment(), values, host.shape());
        } else {
            ByteBuffer bytes = host.dtype() == stored ? host.data()
                    : DTypeConversions.fromFloatArray(stored, host.toFloatArray());
            if (onWire) {
                ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                direct.put(bytes.duplicate()).flip();
                tensor = OnnxTensor.createTensor(backend.environment(), direct, host.shape(),
                        stored == DType.BF16 ? OnnxJavaType.BFLOAT16 : OnnxJavaType.FLOAT16);
            } else {
                tensor = OnnxTensor.createTensor(backend.environment(),
                        HostTensor.of(stored, host.shape(), bytes).asFloatBuffer(), host.shape());
            }
        }
        boundParameters.put(cacheKey, tensor);
        return tensor;
    }

    /** How many sessions were built so far (cache misses). */
    synchronized int sessionBuilds() {
        return sessionBuilds;
    }

    synchronized int cachedSessions() {
        return sessions.size();
    }

    private static String describe(Map<String, long[]> inputs) {
        return new TreeMap<>(inputs).entrySet().stream()
                .map(e -> e.getKey() + Shapes.toString(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static List<OnnxValue> collectValues(OrtSession.Result result) {
        List<OnnxValue> values = new ArrayList<>();
        result.forEach(e -> values.add(e.getValue()));
        return values;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sessions.values().forEach(CompiledGraph::close);
        sessions.clear();
        boundParameters.values().forEach(OnnxTensor::close);
        boundParameters.clear();
        backend.forget(this);
    }
}
