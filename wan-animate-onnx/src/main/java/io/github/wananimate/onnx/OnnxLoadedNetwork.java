package io.github.wananimate.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
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
import io.github.wananimate.weights.Float8Tensor;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Streamed parameter groups: the forward is recorded cut around the chain steps that read them
 * ({@link SegmentedGraph}). The resident segments are compiled once per input shapes like a whole forward. A streamed
 * segment that binds no weights (on the CPU every parameter of a streamed step is fed, {@link RecordedGraph#fedParameters})
 * runs in a session shared by every block with the same model, compiled once; its run is fed that block's tensors over
 * the checkpoint's bytes, closed when the run returns. Any other streamed segment (CUDA) gets a session built for each
 * run with its group's weights (converted to float32 in buffers of its own, or the mapped float32 bytes themselves),
 * closed, its buffers freed, as soon as its run returns; the next one is built on a helper thread while the current
 * one runs, so at most two groups' weights are held at a time. Values passing between segments are released after the
 * last segment that reads them.
 */
final class OnnxLoadedNetwork implements LoadedNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxLoadedNetwork.class);
    static final int MAX_SESSIONS = 16;

    private final OnnxBackend backend;
    private final Network network;
    private final ParameterSource weights;
    private final AtomicLong transferred = new AtomicLong();
    private final Map<String, OnnxTensor> boundParameters = new HashMap<>();
    /** Buffers of converted resident weights, freed when this network closes. */
    private final List<ByteBuffer> boundBuffers = new ArrayList<>();
    /** Streamed key → its group; empty when every parameter is resident. */
    private final Map<String, String> streamedKeys;
    /** Streamed group → the stored bytes of its keys, counted as host→device traffic each time it is bound. */
    private final Map<String, Long> streamedGroupBytes = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Forward> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private ExecutorService stager;
    private int sessionBuilds;
    /** ONNX Runtime sessions created so far, of whole forwards and of segments alike. */
    private final AtomicLong sessionsCreated = new AtomicLong();
    private boolean closed;

    /** What one forward runs: one session, or the sessions of a forward cut at streamed chain steps. */
    private interface Forward {

        /** Network input name → graph input name, network output name → graph output name and its shape. */
        record Names(Map<String, String> inputs, Map<String, String> outputs, Map<String, long[]> outputShapes) {
        }

        Names names();

        /**
         * Runs on feeds keyed by graph input name; returns every graph output by graph name, owned by the caller.
         * {@code consumed} holds the handles behind feeds that the caller handed over, by graph input name: a forward
         * cut into segments closes each after the last segment that reads it (and removes it from the map); the
         * caller closes what is left.
         */
        Map<String, OnnxTensor> run(Map<String, OnnxTensor> feeds, Map<String, DeviceTensor> consumed)
                throws OrtException;

        void close();
    }

    /**
     * A session together with what it needs alive: its recorded graph, its own bound tensors and the direct buffers
     * behind them (freed after the session and the tensors close), and the tensors of its fed parameters, added to every
     * run's feeds ({@link RecordedGraph#fedParameters}, among {@code constants}; empty for a session shared by blocks,
     * whose runs bring their own), and the backend's run options (null for ONNX Runtime's defaults).
     */
    private record CompiledGraph(OrtSession session, RecordedGraph graph, List<OnnxTensor> constants,
            List<ByteBuffer> buffers, Map<String, OnnxTensor> fed, OrtSession.RunOptions runOptions)
            implements Forward {

        @Override
        public Names names() {
            return new Names(graph.inputNames(), graph.outputNames(), graph.outputShapes());
        }

        @Override
        public Map<String, OnnxTensor> run(Map<String, OnnxTensor> feeds, Map<String, DeviceTensor> consumed)
                throws OrtException {
            Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
            Map<String, OnnxTensor> all = feeds;
            if (!fed.isEmpty()) {
                all = new HashMap<>(feeds);
                all.putAll(fed);
            }
            OrtSession.Result result = session.run(all, runOptions);
            boolean done = false;
            try {
                for (String name : graph.outputNames().values()) {
                    outputs.put(name, (OnnxTensor) result.get(name).orElseThrow(() ->
                            new IllegalStateException("ONNX Runtime returned no output '" + name + "'")));
                }
                done = true;
            } finally {
                boolean keep = done;
                result.forEach(e -> {
                    if (!keep || outputs.get(e.getKey()) != e.getValue()) {
                        e.getValue().close();
                    }
                });
            }
            return outputs;
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing an ONNX Runtime session failed", e);
            }
            constants.forEach(OnnxTensor::close);
            buffers.forEach(DirectBuffers::free);
        }
    }

    /**
     * The segments of a forward with streamed groups: resident segments compiled once, streamed ones built per run
     * (the next one staged while the current one runs).
     */
    private final class SegmentedForward implements Forward {

        private final SegmentedGraph graph;
        /** Per segment: its compiled session, or null for a streamed one. */
        private final List<CompiledGraph> resident;
        /** Sessions of streamed segments without weights of their own, by model: one serves every such block. */
        private final Map<ByteBuffer, CompiledGraph> shared = new HashMap<>();
        /** Per segment: the values passed in from earlier segments that no later segment reads. */
        private final List<List<String>> releasedAfter = new ArrayList<>();

        SegmentedForward(SegmentedGraph graph, List<CompiledGraph> resident) {
            this.graph = graph;
            this.resident = resident;
            Map<String, Integer> lastRead = new HashMap<>();
            for (int s = 0; s < graph.segments().size(); s++) {
                for (String in : graph.segments().get(s).graph().inputNames().keySet()) {
                    lastRead.put(in, s);
                }
                releasedAfter.add(new ArrayList<>());
            }
            lastRead.forEach((value, s) -> releasedAfter.get(s).add(value));
        }

        @Override
        public Names names() {
            return new Names(graph.inputNames(), graph.outputNames(), graph.outputShapes());
        }

        @Override
        public Map<String, OnnxTensor> run(Map<String, OnnxTensor> feeds, Map<String, DeviceTensor> consumed)
                throws OrtException {
            List<SegmentedGraph.Segment> segments = graph.segments();
            Map<String, OnnxTensor> values = new HashMap<>(feeds);
            Map<String, OnnxTensor> owned = new HashMap<>();
            Future<CompiledGraph> staged = stage(nextBuiltPerRun(0));
            try {
                for (int s = 0; s < segments.size(); s++) {
                    SegmentedGraph.Segment segment = segments.get(s);
                    CompiledGraph session = resident.get(s);
                    boolean sharedSession = session == null && sharable(segment.graph());
                    boolean builtForRun = session == null && !sharedSession;
                    if (sharedSession) {
                        session = sharedSession(segment);
                        countGroup(segment.streamedGroup());
                    } else if (builtForRun) {
                        session = await(staged, segment);
                        staged = stage(nextBuiltPerRun(s + 1));
                    }
                    List<OnnxTensor> fedNow = new ArrayList<>();
                    List<ByteBuffer> fedBuffers = new ArrayList<>();
                    try {
                        Map<String, OnnxTensor> in = new HashMap<>();
                        segment.graph().inputNames().forEach((value, input) -> in.put(input, values.get(value)));
                        if (sharedSession) {
                            in.putAll(fedTensors(segment.graph(), fedNow, fedBuffers));
                        }
                        Map<String, OnnxTensor> out = session.run(in, Map.of());
                        segment.graph().outputNames().forEach((value, output) -> {
                            OnnxTensor t = out.get(output);
                            owned.put(value, t);
                            values.put(value, t);
                        });
                    } finally {
                        if (builtForRun) {
                            session.close();
                        }
                        fedNow.forEach(OnnxTensor::close);
                        fedBuffers.forEach(DirectBuffers::free);
                    }
                    for (String value : releasedAfter.get(s)) {
                        OnnxTensor done = owned.remove(value);
                        if (done != null) {
                            values.remove(value);
                            done.close();
                        }
                        DeviceTensor handedOver = consumed.remove(value);
                        if (handedOver != null) {
                            values.remove(value);
                            handedOver.close();
                        }
                    }
                }
                Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
                graph.outputNames().values().forEach(name -> outputs.put(name, owned.remove(name)));
                return outputs;
            } finally {
                owned.values().forEach(OnnxTensor::close);
                discard(staged);
            }
        }

        /** The session shared by the streamed segments with {@code segment}'s model, compiled on first use. */
        private CompiledGraph sharedSession(SegmentedGraph.Segment segment) {
            ByteBuffer model = ByteBuffer.wrap(segment.graph().model());
            CompiledGraph session = shared.get(model);
            if (session == null) {
                session = compile(segment.graph(), "the blocks like group " + segment.streamedGroup(), false, true);
                shared.put(model, session);
            }
            return session;
        }

        /** Streamed segments that cannot share a session: built for each run on the stager, the next ahead. */
        private int nextBuiltPerRun(int from) {
            for (int s = from; s < resident.size(); s++) {
                if (resident.get(s) == null && !sharable(graph.segments().get(s).graph())) {
                    return s;
                }
            }
            return -1;
        }

        private Future<CompiledGraph> stage(int segment) {
            if (segment < 0) {
                return null;
            }
            SegmentedGraph.Segment next = graph.segments().get(segment);
            return stager().submit(() -> compileStreamed(next));
        }

        @Override
        public void close() {
            resident.stream().filter(Objects::nonNull).forEach(CompiledGraph::close);
            shared.values().forEach(CompiledGraph::close);
        }
    }

    OnnxLoadedNetwork(OnnxBackend backend, Network network, ParameterSource preparedWeights,
            Map<String, String> streamedKeys) {
        this.backend = backend;
        this.network = network;
        this.weights = preparedWeights;
        this.streamedKeys = Map.copyOf(streamedKeys);
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
    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice) {
        return run(inputs, deviceInputs, keepOnDevice, false);
    }

    /**
     * Where the forward was cut at the inputs it releases ({@link OnnxBackend#cutsAtReleasedInputs}), each handed-over
     * input of this backend is closed after the last segment that reads it; otherwise when the call returns.
     */
    @Override
    public RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> consumed,
            Predicate<String> keepOnDevice) {
        return LoadedNetwork.consuming(consumed, () -> run(inputs, consumed, keepOnDevice, true));
    }

    private synchronized RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice, boolean consume) {
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
        Forward compiled = compiledFor(shapes);
        List<OnnxTensor> feeds = new ArrayList<>();
        Map<String, OnnxDeviceTensor> written = new LinkedHashMap<>();
        boolean done = false;
        try {
            Map<String, OnnxTensor> feedMap = new HashMap<>();
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                OnnxTensor t = OnnxTensor.createTensor(backend.environment(), e.getValue().asFloatBuffer(),
                        e.getValue().shape());
                feeds.add(t);
                feedMap.put(compiled.names().inputs().get(e.getKey()), t);
                transferred.addAndGet(e.getValue().elementCount() * Float.BYTES);
            }
            Map<String, DeviceTensor> handedOver = new HashMap<>();
            for (Map.Entry<String, DeviceTensor> e : deviceInputs.entrySet()) {
                String input = compiled.names().inputs().get(e.getKey());
                OnnxTensor own = e.getValue() instanceof OnnxDeviceTensor d ? d.tensorFor(backend) : null;
                if (own == null) {
                    HostTensor host = e.getValue().toHost();
                    own = OnnxTensor.createTensor(backend.environment(), host.asFloatBuffer(), host.shape());
                    feeds.add(own);
                    transferred.addAndGet(host.elementCount() * Float.BYTES);
                } else if (consume) {
                    handedOver.put(input, e.getValue());
                }
                feedMap.put(input, own);
            }
            Map<String, OnnxTensor> produced = compiled.run(feedMap, handedOver);
            Map<String, DeviceTensor> device = new LinkedHashMap<>();
            Map<String, HostTensor> host = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, String> out : compiled.names().outputs().entrySet()) {
                    OnnxTensor value = produced.remove(out.getValue());
                    long[] expected = compiled.names().outputShapes().get(out.getKey());
                    OnnxDeviceTensor t = new OnnxDeviceTensor(backend, expected, value);
                    written.put(out.getKey(), t);
                    if (!Arrays.equals(value.getInfo().getShape(), expected)) {
                        throw new IllegalStateException(name() + ": output '" + out.getKey() + "' came back as "
                                + Shapes.toString(value.getInfo().getShape()) + " but was recorded as "
                                + Shapes.toString(expected));
                    }
                }
            } finally {
                produced.values().forEach(OnnxTensor::close);
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

    private Forward compiledFor(Map<String, long[]> inputs) {
        String key = describe(inputs);
        Forward cached = sessions.get(key);
        if (cached != null) {
            return cached;
        }
        Forward built = build(inputs);
        sessions.put(key, built);
        sessionBuilds++;
        if (sessions.size() > MAX_SESSIONS) {
            Iterator<Forward> eldest = sessions.values().iterator();
            Forward evicted = eldest.next();
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
        OnnxGraphRecorder recorder = newRecorder(Set.of());
        return recorder.finish(forward(recorder, inputs));
    }

    private OnnxGraphRecorder newRecorder(Set<String> streamedGroups) {
        return new OnnxGraphRecorder(this::parameterShape, backend.recorderOptions(), backend.onCuda(),
                streamedGroups, weights::float8, weights::dtype);
    }

    /** Records the forward into {@code recorder} and declares its outputs; returns the graph's name. */
    private String forward(OnnxGraphRecorder recorder, Map<String, long[]> inputs) {
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
        return name();
    }

    private Forward build(Map<String, long[]> inputs) {
        long start = System.nanoTime();
        OnnxGraphRecorder recorder = newRecorder(Set.copyOf(streamedKeys.values()))
                .cutAtReleasedInputs(backend.cutsAtReleasedInputs());
        String graphName = forward(recorder, inputs);
        if (!recorder.isCut()) {
            RecordedGraph graph = recorder.finish(graphName);
            long recorded = System.nanoTime();
            CompiledGraph compiled = compile(graph, describe(inputs));
            logBuild(graph, describe(inputs), recorded - start, System.nanoTime() - recorded);
            return compiled;
        }
        SegmentedGraph segmented = recorder.finishSegments(graphName);
        // Cut at released inputs only (no streamed step): its sessions run back to back, without spinning threads.
        boolean spinning = !streamedKeys.isEmpty();
        List<CompiledGraph> resident = new ArrayList<>();
        try {
            for (SegmentedGraph.Segment segment : segmented.segments()) {
                resident.add(segment.streamedGroup() == null
                        ? compile(segment.graph(), describe(inputs), true, spinning) : null);
            }
        } catch (RuntimeException e) {
            resident.stream().filter(Objects::nonNull).forEach(CompiledGraph::close);
            throw e;
        }
        LOG.debug("{} on {}: forward for {} cut into {} segments ({} streamed) in {} ms", name(), backend.device(),
                describe(inputs), resident.size(), resident.stream().filter(Objects::isNull).count(),
                (System.nanoTime() - start) / 1_000_000);
        return new SegmentedForward(segmented, resident);
    }

    private void logBuild(RecordedGraph graph, String inputs, long recordNanos, long buildNanos) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} on {}: graph for {} has {} nodes, {} parameters ({} bound initializers copied), {} bound "
                    + "constants, model {} bytes, fused attention {}; recorded in {} ms, session built in {} ms",
                    name(), backend.device(), inputs, graph.nodeCount(), graph.parameters().size(),
                    graph.parameters().size() + graph.boundConstants().size()
                            - graph.shareableInitializers().size(), graph.boundConstants().size(), graph.model().length,
                    graph.usesFusedAttention(), recordNanos / 1_000_000, buildNanos / 1_000_000);
        }
    }

    /** A session for {@code graph}, rebuilt with every weight copied if an optimiser wanted a shared weight's data. */
    private CompiledGraph compile(RecordedGraph graph, String inputs) {
        return compile(graph, inputs, true, true);
    }

    /**
     * {@link #compile(RecordedGraph, String)}; without {@code bindFed} the session keeps no tensors for the graph's
     * fed parameters, and each run must feed them (a session shared by several blocks); {@code spinning} as in
     * {@link OnnxBackend#newSessionOptions}.
     */
    private CompiledGraph compile(RecordedGraph graph, String inputs, boolean bindFed, boolean spinning) {
        try {
            try {
                return createSession(graph, false, bindFed, spinning);
            } catch (OrtException e) {
                if (e.getMessage() == null || !e.getMessage().contains(OnnxModelWriter.EXTERNAL_LOCATION)) {
                    throw e;
                }
                LOG.warn("{}: an ONNX Runtime optimiser wanted the data of a weight shared from memory; building "
                        + "the session for {} again with every weight copied ({})", name(), inputs, e.getMessage());
                backend.countCopyAllRebuild();
                return createSession(graph, true, bindFed, spinning);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot build the graph of " + name() + " on "
                    + backend.device() + " for inputs " + inputs + ": " + e.getMessage(), e);
        }
    }

    /** The session of a streamed segment, with its group's weights bound for this one run; counts the group's bytes. */
    private CompiledGraph compileStreamed(SegmentedGraph.Segment segment) {
        String group = segment.streamedGroup();
        long start = System.nanoTime();
        CompiledGraph compiled = compile(segment.graph(), "group " + group);
        countGroup(group);
        LOG.trace("{}: group {} bound in {} ms", name(), group, (System.nanoTime() - start) / 1_000_000);
        return compiled;
    }

    /** Counts a streamed group's stored bytes as host→device traffic (once per use). */
    private void countGroup(String group) {
        transferred.addAndGet(streamedGroupBytes.computeIfAbsent(group, g -> streamedKeys.entrySet().stream()
                .filter(e -> e.getValue().equals(g)).mapToLong(e -> storedBytes(e.getKey())).sum()));
    }

    /**
     * Whether a streamed segment can run in a session shared with the other blocks of its shape: it binds no weights
     * or constants of its own (every parameter fed, {@link OnnxGraphRecorder}), so its model says all it computes.
     */
    private static boolean sharable(RecordedGraph graph) {
        return graph.parameters().isEmpty() && graph.boundConstants().isEmpty();
    }

    private CompiledGraph await(Future<CompiledGraph> staged, SegmentedGraph.Segment segment) {
        try {
            return staged.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name() + ": interrupted while binding group " + segment.streamedGroup(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(name() + ": binding group " + segment.streamedGroup() + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /** Waits for a staged session nobody will run and closes it. */
    private static void discard(Future<CompiledGraph> staged) {
        if (staged == null) {
            return;
        }
        try {
            staged.get().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("a staged group that was not needed failed to bind", e.getCause());
        }
    }

    private synchronized ExecutorService stager() {
        if (stager == null) {
            stager = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "wan-animate-onnx-stager-" + name());
                thread.setDaemon(true);
                return thread;
            });
        }
        return stager;
    }

    private CompiledGraph createSession(RecordedGraph graph, boolean copyAll, boolean bindFed, boolean spinning)
            throws OrtException {
        sessionsCreated.incrementAndGet();
        List<OnnxTensor> constants = new ArrayList<>();
        List<ByteBuffer> buffers = new ArrayList<>();
        try (SessionOptions options = backend.newSessionOptions(spinning)) {
            Map<String, OnnxTensorLike> fromMemory = new HashMap<>();
            for (Map.Entry<String, String> p : graph.parameters().entrySet()) {
                String key = p.getValue();
                DType stored = graph.parameterDTypes().get(p.getKey());
                if (streamedKeys.containsKey(key)) {
                    OnnxTensor t = parameterTensor(key, stored, graph.lowPrecisionKernels(), buffers);
                    constants.add(t);
                    fromMemory.put(p.getKey(), t);
                } else {
                    fromMemory.put(p.getKey(), boundParameter(key, stored, graph.lowPrecisionKernels()));
                }
            }
            Map<String, OnnxTensor> fed = bindFed ? fedTensors(graph, constants, buffers) : Map.of();
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
            return new CompiledGraph(session, graph, constants, buffers, Map.copyOf(fed), backend.runOptions());
        } catch (OrtException | RuntimeException e) {
            constants.forEach(OnnxTensor::close);
            buffers.forEach(DirectBuffers::free);
            throw e;
        }
    }

    @Override
    public long hostDeviceBytes() {
        return transferred.get();
    }

    /**
     * Tensors over the data of {@code graph}'s fed parameters, by graph input name, each also appended to
     * {@code created}: the checkpoint's bytes themselves (mapped float32 / bf16 / f16 values or float8 codes, no copy
     * when the source maps its file) and float8 tables in direct buffers appended to {@code buffers}.
     */
    private Map<String, OnnxTensor> fedTensors(RecordedGraph graph, List<OnnxTensor> created, List<ByteBuffer> buffers)
            throws OrtException {
        Map<String, OnnxTensor> fed = new HashMap<>();
        Map<String, Float8Tensor> float8Forms = new HashMap<>();   // a weight's codes and table: one lookup
        for (Map.Entry<String, RecordedGraph.Fed> e : graph.fedParameters().entrySet()) {
            RecordedGraph.Fed p = e.getValue();
            OnnxTensor t = switch (p.kind()) {
                case VALUES -> {
                    HostTensor values = weights.get(p.key());
                    yield OnnxTensor.createTensor(backend.environment(), values.data(), values.shape(),
                            javaType(values.dtype()));
                }
                case FLOAT8_CODES -> {
                    HostTensor codes = float8Forms.computeIfAbsent(p.key(), this::float8).stored();
                    yield OnnxTensor.createTensor(backend.environment(), codes.data(), codes.shape(),
                            OnnxJavaType.UINT8);
                }
                case FLOAT8_TABLE -> {
                    float[] table = float8Forms.computeIfAbsent(p.key(), this::float8).table();
                    ByteBuffer direct = DirectBuffers.allocate((long) table.length * Float.BYTES);
                    buffers.add(direct);
                    FloatBuffer values = direct.asFloatBuffer().put(table).flip();
                    if (p.dtype() != DType.F32) {
                        roundInPlace(values, p.dtype());
                    }
                    yield OnnxTensor.createTensor(backend.environment(), values, new long[] {table.length});
                }
            };
            created.add(t);
            fed.put(e.getKey(), t);
        }
        return fed;
    }

    private Float8Tensor float8(String key) {
        return weights.float8(key).orElseThrow(() -> new IllegalStateException(name() + ": '" + key
                + "' was recorded as float8 and is not float8 now"));
    }

    private static OnnxJavaType javaType(DType dtype) {
        return switch (dtype) {
            case F32 -> OnnxJavaType.FLOAT;
            case BF16 -> OnnxJavaType.BFLOAT16;
            case F16 -> OnnxJavaType.FLOAT16;
            default -> throw new IllegalArgumentException("no fed form for " + dtype);
        };
    }

    /** The bytes of {@code key} as the checkpoint holds it: a float8 weight's codes, else the tensor as read. */
    private long storedBytes(String key) {
        return weights.float8(key).map(f -> f.stored().byteSize())
                .orElseGet(() -> Shapes.elementCount(weights.shape(key)) * weights.dtype(key).byteSize());
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
        OnnxTensor tensor = parameterTensor(key, stored, onWire, boundBuffers);
        boundParameters.put(cacheKey, tensor);
        return tensor;
    }

    /**
     * A new tensor over the values of {@code key}: the mapped float32 bytes themselves when the checkpoint holds F32
     * and {@code stored} is F32; else a converted copy in a direct buffer appended to {@code buffers} (the caller
     * frees it once the tensor and every session reading it are closed), holding float32 values rounded to
     * {@code stored}, or with {@code onWire} the {@code stored} bytes themselves.
     */
    private OnnxTensor parameterTensor(String key, DType stored, boolean onWire, List<ByteBuffer> buffers)
            throws OrtException {
        HostTensor host = weights.get(key);
        if (stored == DType.F32 && host.dtype() == DType.F32) {
            return OnnxTensor.createTensor(backend.environment(), host.asFloatBuffer(), host.shape());
        }
        if (onWire && stored != DType.F32) {
            ByteBuffer bytes = host.dtype() == stored ? host.data()
                    : DTypeConversions.fromFloatArray(stored, host.toFloatArray());
            ByteBuffer direct = DirectBuffers.allocate(bytes.remaining());
            buffers.add(direct);
            direct.put(bytes.duplicate()).flip();
            return OnnxTensor.createTensor(backend.environment(), direct, host.shape(), javaType(stored));
        }
        ByteBuffer direct = DirectBuffers.allocate(host.elementCount() * Float.BYTES);
        buffers.add(direct);
        FloatBuffer values = direct.asFloatBuffer();
        DTypeConversions.toFloats(host.dtype(), host.data(), values.duplicate());
        if (stored != DType.F32 && stored != host.dtype()) {
            roundInPlace(values, stored);
        }
        return OnnxTensor.createTensor(backend.environment(), values, host.shape());
    }

    /** Rounds float32 values to {@code dtype} and back, in chunks (the values a {@code dtype} copy would give). */
    private static void roundInPlace(FloatBuffer values, DType dtype) {
        float[] chunk = new float[1 << 16];
        for (int at = 0; at < values.limit(); at += chunk.length) {
            int n = Math.min(chunk.length, values.limit() - at);
            float[] part = n == chunk.length ? chunk : new float[n];
            values.get(at, part, 0, n);
            float[] rounded = DTypeConversions.toFloatArray(dtype, DTypeConversions.fromFloatArray(dtype, part));
            values.put(at, rounded, 0, n);
        }
    }

    /** Checkpoint keys the resident sessions are fed as float8 codes ({@link RecordedGraph#fedParameters}). */
    synchronized Set<String> float8FedKeys() {
        Set<String> keys = new TreeSet<>();
        for (Forward forward : sessions.values()) {
            if (forward instanceof CompiledGraph compiled) {
                compiled.graph().fedParameters().values().stream()
                        .filter(f -> f.kind() == RecordedGraph.Kind.FLOAT8_CODES).forEach(f -> keys.add(f.key()));
            }
        }
        return keys;
    }

    /** Checkpoint keys bound as tensors (with {@code @dtype} where rounded to a reduced dtype). */
    synchronized Set<String> boundParameterKeys() {
        return new TreeSet<>(boundParameters.keySet());
    }

    /** How many sessions were built so far (cache misses). */
    /** How many ONNX Runtime sessions were created so far (forwards, resident segments, streamed segments). */
    long sessionsCreated() {
        return sessionsCreated.get();
    }

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

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sessions.values().forEach(Forward::close);
        sessions.clear();
        boundParameters.values().forEach(OnnxTensor::close);
        boundParameters.clear();
        boundBuffers.forEach(DirectBuffers::free);
        boundBuffers.clear();
        if (stager != null) {
            stager.shutdownNow();
        }
        backend.forget(this);
    }
}
