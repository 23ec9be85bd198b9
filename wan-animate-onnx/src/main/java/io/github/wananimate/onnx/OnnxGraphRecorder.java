package io.github.wananimate.onnx;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.onnx.OnnxModelWriter.Attribute;
import io.github.wananimate.onnx.OnnxModelWriter.Initializer;
import io.github.wananimate.onnx.OnnxModelWriter.Node;
import io.github.wananimate.onnx.OnnxModelWriter.Opset;
import io.github.wananimate.onnx.OnnxModelWriter.ValueInfo;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.Float8Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Records {@link Ops} calls as ONNX nodes on symbolic tensors whose static shapes it infers itself, then
 * serialises the graph ({@link #finish}). Parameters become initializers declared without data (bound from
 * memory when the session is created), except those fed as graph inputs at every run ({@link RecordedGraph.Fed}: float8
 * weights, and on the CPU every parameter of a streamed step); small constants are inlined; large ones are bound like
 * parameters.
 *
 * <p>ai.onnx opset 20 (LayerNormalization, Gelu, reductions with an {@code axes} input), plus
 * {@code com.microsoft.MultiHeadAttention} when fused attention is enabled. One recorder records one graph.
 *
 * <p>Reduced precision ({@link Ops#cast}, parameters stored as BF16 / F16). Every graph value is float32 on the
 * wire; a tensor's dtype is the precision its values are rounded to. Casting to BF16 / F16 is a {@code Cast} to that
 * type and back; {@code linear}, {@code matmul}, {@code conv} and {@code attention} on reduced operands compute in
 * float32 and round their output the same way. That is what a reduced-precision GPU kernel with float32 accumulation
 * produces, and it is all the CPU provider can run (it has no bf16 MatMul / Gemm / Conv kernels): parameters are
 * bound as float32 holding the rounded values, so on the CPU a reduced run saves no memory. With
 * {@code forCuda} (the CUDA provider) the parameters are bound in their stored dtype and Gemm / MatMul
 * (and fp16 Conv) run on it (activations cast to it in front, the result cast back to float32 after); attention and
 * bf16 Conv keep the rounding form. That variant is UNTESTED: no GPU was available when it was written.
 */
public final class OnnxGraphRecorder implements Ops {

    static final int OPSET = 20;
    /** Checkpoint dtypes a streamed step's parameters are fed in ({@link #fedParameter}). */
    private static final Set<DType> FED_DTYPES = Set.of(DType.F32, DType.BF16, DType.F16);
    private static final String MS_DOMAIN = "com.microsoft";
    /**
     * The depth-as-batch form copies its input several times (the frames transposed, one slice per depth tap, each in
     * ONNX Runtime's blocked layout); above this input size the 3-D convolution is left to ONNX Runtime, whose kernel
     * works through the input in bounded tiles but runs slower (im2col + GEMM: 230-275 GFLOP/s against 340-360 for
     * the 2-D blocked kernel in one 480x832 profile). Measured on a 480x832 decode (dim 96, 5 frames, two-frame
     * slices, one process each, stop 26), with the shared CPU arena: limit 64 MiB 69.7 s / 10741 MiB; 320 MiB
     * 59.3-66.1 s / 10726-10894 MiB over three processes (only the full-resolution convolutions, 613 MB inputs, left
     * to ONNX Runtime); no limit 58.7 s / 12377 MiB. With an arena per session and no limit the peak was 16859 MiB
     * (58.4 s). Earlier, with whole chunks, no limit against 64 MiB: 222 s / 17.7 GiB against 193 s / 13.4 GiB.
     */
    static final long DEPTH_AS_BATCH_MAX_INPUT_BYTES = 320L << 20;

    /** Constants up to this size are written into the model; larger ones are bound from memory. */
    private static final long INLINE_CONSTANT_BYTES = 64 * 1024;

    /**
     * @param fusedAttention emit {@code com.microsoft.MultiHeadAttention} where the shapes allow it
     * @param attentionChunkBytes the plain attention form splits the query axis so that one score matrix
     *     ({@code B·H·Lq·Lk} floats) stays below this many bytes
     * @param depthAsBatch record a 3-D convolution of a single sample with unit depth stride and no depth padding
     *     as one 2-D convolution over the output frames ({@link #conv}); ONNX Runtime's CPU kernels run 3-D
     *     convolutions as im2col + GEMM but have a blocked direct kernel (NCHWc) for 2-D ones
     */
    public record Options(boolean fusedAttention, long attentionChunkBytes, boolean depthAsBatch) {

        public Options(boolean fusedAttention, long attentionChunkBytes) {
            this(fusedAttention, attentionChunkBytes, true);
        }

        public static Options defaults() {
            return new Options(true, 1L << 30, true);
        }
    }

    /** Node types that move elements without computing: their output keeps the input's dtype. */
    private static final Set<String> LAYOUT_OPS = Set.of("Reshape", "Transpose", "Slice", "Concat", "Expand");

    private final Function<String, long[]> parameterShapes;
    private final Options options;
    private final boolean forCuda;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<ValueInfo> graphInputs = new ArrayList<>();
    private final List<ValueInfo> graphOutputs = new ArrayList<>();
    private final Map<String, String> inputNames = new LinkedHashMap<>();
    private final Map<String, String> outputNames = new LinkedHashMap<>();
    private final Map<String, long[]> outputShapes = new LinkedHashMap<>();
    private final Map<String, Sym> parametersByKey = new HashMap<>();
    private final Map<String, String> parameterKeys = new LinkedHashMap<>();
    private final Map<String, DType> parameterDTypes = new HashMap<>();
    private final Map<String, HostTensor> boundConstants = new LinkedHashMap<>();
    private final Map<String, Sym> smallConstants = new HashMap<>();
    private final Map<String, Sym> transposes = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    /** Graph values computed from initializers only (ONNX Runtime may fold them while building the session). */
    private final Set<String> constantValues = new HashSet<>();
    /** Value name → static shape, for values that may cross a cut ({@link #finishSegments}). */
    private final Map<String, long[]> valueShapes = new HashMap<>();
    /** Values on the wire in a reduced dtype (parameters bound as stored and layout ops on them). */
    private final Set<String> reducedWireValues = new HashSet<>();
    private final Set<String> streamedGroups;
    private final Function<String, Optional<Float8Tensor>> float8;
    private final Function<String, DType> checkpointDTypes;
    /** Parameters fed as graph inputs ({@link #fedParameter}, {@link #float8Parameter}), and what each takes. */
    private final List<ValueInfo> fedInputs = new ArrayList<>();
    private final Map<String, RecordedGraph.Fed> fedKeys = new HashMap<>();
    /** The node index where each segment starts and the streamed group its chain step reads (null: resident). */
    private final List<Integer> segmentStarts = new ArrayList<>(List.of(0));
    private final List<String> segmentGroups = new ArrayList<>(Collections.singletonList(null));
    /** {@link #cutAtReleasedInputs}: whether a released graph input closes a segment. */
    private boolean cutAtReleasedInputs;
    private int counter;
    private boolean usesFusedAttention;
    private boolean finished;

    /**
     * @param parameterShapes the shape of a checkpoint key (called once per key the network reads); should
     *     throw with a clear message for an unknown key
     */
    public OnnxGraphRecorder(Function<String, long[]> parameterShapes, Options options) {
        this(parameterShapes, options, false);
    }

    /**
     * @param forCuda record for the CUDA provider: reduced-precision parameters bound in their stored dtype with
     *     Gemm / MatMul / Conv run in it (untested), instead of float32 with rounded values; asymmetric conv padding
     *     as symmetric padding plus an explicit Pad (cuDNN pads symmetrically)
     */
    public OnnxGraphRecorder(Function<String, long[]> parameterShapes, Options options, boolean forCuda) {
        this(parameterShapes, options, forCuda, Set.of());
    }

    /**
     * @param streamedGroups parameter groups whose {@link #chain(Tensor, List, ChainStep)} steps are cut out into
     *     graphs of their own, so that their weights can be bound for one run and released
     *     ({@link #finishSegments}); empty: one graph ({@link #finish})
     */
    OnnxGraphRecorder(Function<String, long[]> parameterShapes, Options options, boolean forCuda,
            Set<String> streamedGroups) {
        this(parameterShapes, options, forCuda, streamedGroups, key -> Optional.empty(), key -> DType.F32);
    }

    /**
     * @param float8 the float8 form of a checkpoint key, if it has one ({@code ParameterSource::float8}): such a
     *     parameter is fed as its codes and looked up in the graph ({@link #float8Parameter}) where the weights are
     *     not copied to a device when the session is built: everywhere on the CPU, in streamed steps on CUDA
     * @param checkpointDTypes the dtype a checkpoint key is stored in: on the CPU, the parameters of a streamed step
     *     are fed in it ({@link #fedParameter})
     */
    OnnxGraphRecorder(Function<String, long[]> parameterShapes, Options options, boolean forCuda,
            Set<String> streamedGroups, Function<String, Optional<Float8Tensor>> float8,
            Function<String, DType> checkpointDTypes) {
        this.parameterShapes = Objects.requireNonNull(parameterShapes, "parameterShapes");
        this.options = Objects.requireNonNull(options, "options");
        this.forCuda = forCuda;
        this.streamedGroups = Set.copyOf(streamedGroups);
        this.float8 = Objects.requireNonNull(float8, "float8");
        this.checkpointDTypes = Objects.requireNonNull(checkpointDTypes, "checkpointDTypes");
    }

    /**
     * Also cuts the resident work into segments where the network {@link #release releases} a graph input, so that a
     * caller that hands its inputs over ({@code LoadedNetwork.runConsuming}) can free each between segments, as an
     * eager backend frees it between ops (a VAE chunk's carried cache, released layer by layer). Then {@link #isCut}
     * tells which finish to call.
     *
     * @param cut whether to cut there (off by default)
     * @return this recorder
     */
    OnnxGraphRecorder cutAtReleasedInputs(boolean cut) {
        checkOpen();
        cutAtReleasedInputs = cut;
        return this;
    }

    /** {@return whether the recorded forward was cut into segments: {@link #finishSegments}, not {@link #finish}} */
    boolean isCut() {
        return segmentStarts.size() > 1;
    }

    /** The symbolic tensor handed to networks: a graph value name and its static shape. */
    private final class Sym implements Tensor {
        final String name;
        final long[] shape;
        /** Computed from initializers only (so ONNX Runtime may fold it while building the session). */
        final boolean constant;
        /** The precision the values are rounded to. */
        final DType dtype;
        /** The element type on the wire is {@link #dtype} rather than float32 (a parameter bound in its stored dtype). */
        final boolean stored;

        Sym(String name, long[] shape, boolean constant) {
            this(name, shape, constant, DType.F32, false);
        }

        Sym(String name, long[] shape, boolean constant, DType dtype, boolean stored) {
            this.name = name;
            this.shape = shape;
            this.constant = constant;
            this.dtype = dtype;
            this.stored = stored;
            if (constant) {
                constantValues.add(name);
            }
            valueShapes.putIfAbsent(name, shape);
            if (stored) {
                reducedWireValues.add(name);
            }
        }

        @Override
        public long[] shape() {
            return shape;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        OnnxGraphRecorder owner() {
            return OnnxGraphRecorder.this;
        }

        @Override
        public String toString() {
            return name + Shapes.toString(shape);
        }
    }

    // ---------------------------------------------------------------- graph boundary

    /** Declares a float32 graph input of a fixed shape. */
    public Tensor input(String name, long[] shape) {
        checkOpen();
        if (inputNames.containsKey(name)) {
            throw new IllegalArgumentException("input '" + name + "' declared twice");
        }
        String graphName = uniqueName(name);
        inputNames.put(name, graphName);
        graphInputs.add(new ValueInfo(graphName, shape.clone()));
        return new Sym(graphName, shape.clone(), false);
    }

    /** Declares {@code value} as the graph output {@code name} (outputs keep the order of these calls). */
    public void output(String name, Tensor value) {
        checkOpen();
        Sym v = sym(value, "output '" + name + "'");
        if (outputNames.containsKey(name)) {
            throw new IllegalArgumentException("output '" + name + "' declared twice");
        }
        String graphName = uniqueName(name);
        nodes.add(new Node("output_" + graphName, "Identity", "", List.of(v.name), List.of(graphName), List.of()));
        outputNames.put(name, graphName);
        outputShapes.put(name, v.shape.clone());
        graphOutputs.add(new ValueInfo(graphName, v.shape));
        valueShapes.put(graphName, v.shape);
    }

    /** Serialises the recorded graph; the recorder cannot be used afterwards. */
    public RecordedGraph finish(String graphName) {
        checkOpen();
        if (outputNames.isEmpty()) {
            throw new IllegalStateException("graph '" + graphName + "' has no outputs");
        }
        if (isCut()) {
            throw new IllegalStateException("graph '" + graphName + "' was cut into segments; use finishSegments");
        }
        finished = true;
        return serialise(graphName, liveNodes(), graphInputs, graphOutputs, inputNames, outputNames, outputShapes,
                false);
    }

    private List<Opset> opsets() {
        List<Opset> opsets = new ArrayList<>();
        opsets.add(new Opset("", OPSET));
        if (usesFusedAttention) {
            opsets.add(new Opset(MS_DOMAIN, 1));
        }
        return opsets;
    }

    /**
     * Serialises the recorded forward as consecutive graphs: one per streamed chain step and one per stretch of
     * resident work between them, itself cut where inputs were released ({@link #cutAtReleasedInputs}); stretches
     * without live nodes are left out. A value computed in one graph and read
     * in a later one is an output of the first and an input of the second; the network's inputs and outputs keep their
     * names ({@link SegmentedGraph}). Each graph holds exactly the initializers its nodes read. A streamed step's graph
     * is written with canonical names ({@link #canonicalNames}; its {@code inputNames} / {@code outputNames} map the
     * values it exchanges to them), so that blocks of one shape whose parameters are all fed serialise to one model.
     *
     * @param graphName the name of the forward; segment graphs are named after it
     * @return the segments, in execution order
     */
    SegmentedGraph finishSegments(String graphName) {
        checkOpen();
        if (outputNames.isEmpty()) {
            throw new IllegalStateException("graph '" + graphName + "' has no outputs");
        }
        finished = true;
        boolean[] live = liveMask();
        int segmentCount = segmentStarts.size();
        int[] segmentOf = new int[nodes.size()];
        for (int s = 0; s < segmentCount; s++) {
            int end = s + 1 < segmentCount ? segmentStarts.get(s + 1) : nodes.size();
            Arrays.fill(segmentOf, segmentStarts.get(s), end, s);
        }
        Map<String, Integer> producedIn = new HashMap<>();
        graphInputs.forEach(in -> producedIn.put(in.name(), -1));
        List<List<Node>> segmentNodes = new ArrayList<>();
        for (int s = 0; s < segmentCount; s++) {
            segmentNodes.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (live[i]) {
                segmentNodes.get(segmentOf[i]).add(nodes.get(i));
                for (String out : nodes.get(i).outputs()) {
                    producedIn.put(out, segmentOf[i]);
                }
            }
        }
        List<Set<String>> crossingIn = new ArrayList<>();
        List<Set<String>> crossingOut = new ArrayList<>();
        for (int s = 0; s < segmentCount; s++) {
            crossingIn.add(new LinkedHashSet<>());
            crossingOut.add(new LinkedHashSet<>());
        }
        for (int s = 0; s < segmentCount; s++) {
            for (Node node : segmentNodes.get(s)) {
                for (String in : node.inputs()) {
                    Integer from = producedIn.get(in);
                    if (from != null && from != s) {
                        crossingIn.get(s).add(in);
                        if (from >= 0) {
                            crossingOut.get(from).add(in);
                        }
                    }
                }
            }
        }
        graphOutputs.forEach(out -> crossingOut.get(producedIn.get(out.name())).add(out.name()));
        List<SegmentedGraph.Segment> segments = new ArrayList<>();
        for (int s = 0; s < segmentCount; s++) {
            List<Node> segment = segmentNodes.get(s);
            if (segment.isEmpty()) {
                continue;
            }
            String name = graphName + "#" + s + (segmentGroups.get(s) == null ? "" : "[" + segmentGroups.get(s) + "]");
            List<ValueInfo> in = valueInfos(name, crossingIn.get(s));
            List<ValueInfo> out = valueInfos(name, crossingOut.get(s));
            Map<String, String> inNames = new LinkedHashMap<>();
            in.forEach(v -> inNames.put(v.name(), v.name()));
            Map<String, String> outNames = new LinkedHashMap<>();
            Map<String, long[]> outShapes = new LinkedHashMap<>();
            out.forEach(v -> {
                outNames.put(v.name(), v.name());
                outShapes.put(v.name(), v.shape());
            });
            boolean streamed = segmentGroups.get(s) != null;
            segments.add(new SegmentedGraph.Segment(serialise(streamed ? graphName + "#block" : name, segment, in, out,
                    inNames, outNames, outShapes, streamed), segmentGroups.get(s)));
        }
        return new SegmentedGraph(segments, Map.copyOf(inputNames), unmodifiable(outputNames),
                unmodifiable(outputShapes));
    }

    private List<ValueInfo> valueInfos(String graphName, Set<String> names) {
        List<ValueInfo> infos = new ArrayList<>();
        for (String name : names) {
            if (reducedWireValues.contains(name)) {
                throw new IllegalStateException(graphName + ": value " + name + " crosses a cut in a reduced dtype; "
                        + "only float32 values can pass between segment graphs");
            }
            infos.add(new ValueInfo(name, valueShapes.get(name)));
        }
        return infos;
    }

    /**
     * The graph of {@code live} nodes with exactly the initializers they read; {@code inputNames} / {@code outputNames}
     * map the caller's names to graph value names (a segment passes values under their own names).
     */
    private RecordedGraph serialise(String graphName, List<Node> live, List<ValueInfo> inputs, List<ValueInfo> outputs,
            Map<String, String> inputNames, Map<String, String> outputNames, Map<String, long[]> outputShapes,
            boolean canonical) {
        Set<String> consumed = new HashSet<>();
        live.forEach(node -> consumed.addAll(node.inputs()));
        List<Initializer> usedInitializers = initializers.stream().filter(i -> consumed.contains(i.name())).toList();
        Map<String, String> usedParameters = new LinkedHashMap<>(parameterKeys);
        usedParameters.keySet().retainAll(consumed);
        Map<String, HostTensor> usedConstants = new LinkedHashMap<>(boundConstants);
        usedConstants.keySet().retainAll(consumed);
        Map<String, DType> usedDTypes = new HashMap<>(parameterDTypes);
        usedDTypes.keySet().retainAll(usedParameters.keySet());
        List<ValueInfo> allInputs = new ArrayList<>(inputs);
        Map<String, RecordedGraph.Fed> fed = new LinkedHashMap<>();
        for (ValueInfo f : fedInputs) {
            if (consumed.contains(f.name())) {
                allInputs.add(f);
                fed.put(f.name(), fedKeys.get(f.name()));
            }
        }
        Set<String> shareable = shareableInitializers(live);
        Function<String, String> n = canonical ? canonicalNames(live, inputs, fed.keySet(), usedInitializers)::get
                : Function.identity();
        List<Node> nodesOut = canonical ? renamed(live, n) : live;
        byte[] model = OnnxModelWriter.write(graphName, opsets(), nodesOut,
                usedInitializers.stream().map(i -> new Initializer(n.apply(i.name()), i.dataType(), i.dims(),
                        i.rawData())).toList(),
                allInputs.stream().map(v -> new ValueInfo(n.apply(v.name()), v.shape(), v.elemType())).toList(),
                outputs.stream().map(v -> new ValueInfo(n.apply(v.name()), v.shape(), v.elemType())).toList());
        return new RecordedGraph(model, renamedValues(inputNames, n), renamedValues(outputNames, n),
                unmodifiable(outputShapes), renamedKeys(usedParameters, n), renamedKeys(usedDTypes, n),
                renamedKeys(fed, n), renamedKeys(usedConstants, n),
                shareable.stream().map(n).collect(java.util.stream.Collectors.toUnmodifiableSet()), live.size(),
                usesFusedAttention, forCuda);
    }

    /**
     * Names for a streamed step's graph that do not depend on where in the forward it was recorded: its inputs
     * {@code in0…}, fed parameters {@code w0…}, initializers {@code c0…} and node outputs {@code t0…}, each in order of
     * appearance. Blocks of the same shape then serialise to the same bytes and run in one session.
     */
    private static Map<String, String> canonicalNames(List<Node> live, List<ValueInfo> inputs, Set<String> fed,
            List<Initializer> initializers) {
        Map<String, String> names = new HashMap<>();
        inputs.forEach(v -> names.put(v.name(), "in" + names.size()));
        int w = 0;
        for (String f : fed) {
            names.put(f, "w" + w++);
        }
        Set<String> initializerNames = new HashSet<>();
        initializers.forEach(i -> initializerNames.add(i.name()));
        int c = 0;
        int t = 0;
        for (Node node : live) {
            for (String in : node.inputs()) {
                if (initializerNames.contains(in) && !names.containsKey(in)) {
                    names.put(in, "c" + c++);
                }
            }
            for (String out : node.outputs()) {
                names.put(out, "t" + t++);
            }
        }
        names.put("", "");   // an omitted optional input
        return names;
    }

    private static List<Node> renamed(List<Node> live, Function<String, String> n) {
        List<Node> out = new ArrayList<>(live.size());
        for (int i = 0; i < live.size(); i++) {
            Node node = live.get(i);
            out.add(new Node(node.opType() + "_" + i, node.opType(), node.domain(),
                    node.inputs().stream().map(n).toList(), node.outputs().stream().map(n).toList(),
                    node.attributes()));
        }
        return out;
    }

    private static Map<String, String> renamedValues(Map<String, String> map, Function<String, String> n) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, n.apply(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static <V> Map<String, V> renamedKeys(Map<String, V> map, Function<String, String> n) {
        Map<String, V> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(n.apply(k), v));
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * {@link Ops#chain(Tensor, List, ChainStep)}: a step that reads a streamed group is recorded as a segment of its
     * own (see {@link #finishSegments}); every other step is recorded in line, as by the default.
     */
    @Override
    public Tensor chain(Tensor initial, List<String> stepGroups, ChainStep step) {
        Tensor x = initial;
        for (int i = 0; i < stepGroups.size(); i++) {
            String group = stepGroups.get(i);
            boolean streamed = group != null && streamedGroups.contains(group);
            if (streamed) {
                startSegment(group);
            }
            x = step.apply(i, x);
            if (streamed) {
                startSegment(null);
            }
        }
        return x;
    }

    /**
     * Two frames on the CPU: measured on the VAE decoder (256x256, dim 16, 17 frames), slices of two frames gave
     * 2.54 s and a 734 MiB peak against 2.71 s and 886 MiB for whole chunks (one frame: 3.31 s, 763 MiB). Whole
     * chunks for CUDA (not measured). At 480x832 with dim 96, one-frame slices were slower and larger too (99.7 s
     * including about 7 s of session builds, 14391 MiB, against 60.3 s, 13512 MiB), so the frame's size does not
     * change the choice.
     */
    @Override
    public int videoSliceFrames(long frameBytes) {
        return forCuda ? 0 : 2;
    }

    /** Starts a segment after a released graph input ({@link #cutAtReleasedInputs}); other tensors are ignored. */
    @Override
    public void release(Tensor t) {
        checkOpen();
        if (cutAtReleasedInputs && !inStreamedStep() && t instanceof Sym v && inputNames.containsValue(v.name)) {
            startSegment(null);
        }
    }

    /** {@return whether the recording is inside a streamed chain step's segment} */
    private boolean inStreamedStep() {
        return segmentGroups.get(segmentGroups.size() - 1) != null;
    }

    private void startSegment(String group) {
        checkOpen();
        int last = segmentStarts.size() - 1;
        if (segmentStarts.get(last) == nodes.size()) {   // the previous segment is empty: reuse its slot
            segmentGroups.set(last, group);
        } else {
            segmentStarts.add(nodes.size());
            segmentGroups.add(group);
        }
    }

    /**
     * The nodes the outputs depend on, in recording order. A network may read a parameter it does not use for
     * these shapes (the VAE's time_conv on a single frame) or compute values it drops; ONNX Runtime removes such
     * initializers while loading the model, and binding data to a name it removed fails the session
     * ("Failed to find existing initializer"), so they are left out of the model and bound to nothing.
     */
    private List<Node> liveNodes() {
        boolean[] keep = liveMask();
        List<Node> live = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (keep[i]) {
                live.add(nodes.get(i));
            }
        }
        return live;
    }

    /** Which of {@link #nodes} the outputs depend on. */
    private boolean[] liveMask() {
        Set<String> needed = new HashSet<>();
        graphOutputs.forEach(o -> needed.add(o.name()));
        boolean[] keep = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            if (node.outputs().stream().anyMatch(needed::contains)) {
                keep[i] = true;
                needed.addAll(node.inputs());
            }
        }
        return keep;
    }

    /**
     * The bound initializers whose data no ONNX Runtime graph optimiser reads: those consumed only as the weight
     * operand (B) of {@code MatMul} / {@code Gemm} nodes whose other operand (A) is computed from the graph inputs.
     *
     * <p>This is an allow-list on purpose. The optimisers that read initializer data are many and change between
     * releases: constant folding (a node fed by initializers only), the NCHWc layout rewrite of Conv weights,
     * {@code ConvAddFusion} / {@code ConvMulFusion} (the constant operand of an Add / Mul after a Conv, e.g. the
     * {@code [1, C, 1, 1]} bias of the motion encoder's FusedLeakyReLU, is folded into the Conv bias), the
     * transpose optimiser (it permutes constant operands), {@code ConstantSharing} (single-element tensors)…
     * A weight that any of them reads must be bound with {@code addExternalInitializers}, or the session fails on
     * the placeholder file (see {@link OnnxLoadedNetwork}). Linear weights, which hold nearly all the bytes of a
     * transformer, are what the allow-list keeps shared; what it copies (biases, norm scales, modulation tables,
     * Conv kernels, position tables) is small next to them.
     */
    private Set<String> shareableInitializers(List<Node> live) {
        Set<String> shareable = new HashSet<>();
        Set<String> readByOptimisers = new HashSet<>();
        for (Node node : live) {
            List<String> in = node.inputs();
            for (int i = 0; i < in.size(); i++) {
                String name = in.get(i);
                if (!parameterKeys.containsKey(name) && !boundConstants.containsKey(name)) {
                    continue;
                }
                boolean weightOperand = node.domain().isEmpty()
                        && (node.opType().equals("MatMul") || node.opType().equals("Gemm"))
                        && i == 1 && !constantValues.contains(in.get(0));
                (weightOperand ? shareable : readByOptimisers).add(name);
            }
        }
        shareable.removeAll(readByOptimisers);
        return Set.copyOf(shareable);
    }

    // ---------------------------------------------------------------- sources

    @Override
    public Tensor parameter(String key) {
        return parameter(ParameterSpec.required(key));
    }

    /**
     * A bound parameter rounded to its stored dtype: float32 on the wire, or (with {@code forCuda}) in
     * the stored dtype itself. The data is bound when the session is built (see {@link RecordedGraph#parameterDTypes}).
     */
    @Override
    public Tensor parameter(ParameterSpec spec) {
        checkOpen();
        String key = spec.key();
        DType dtype = spec.dtype();
        String cacheKey = dtype == DType.F32 ? key : key + "@" + dtype;
        Sym existing = parametersByKey.get(cacheKey);
        if (existing != null) {
            return existing;
        }
        long[] shape = parameterShapes.apply(key).clone();
        boolean inStreamedStep = inStreamedStep();
        Optional<Float8Tensor> codes = forCuda && !inStreamedStep ? Optional.empty() : float8.apply(key);
        Sym fed = null;
        if (codes.isPresent()) {
            fed = float8Parameter(key, shape, dtype);
        } else if (inStreamedStep && !forCuda && FED_DTYPES.contains(checkpointDTypes.apply(key))) {
            fed = fedParameter(key, shape, checkpointDTypes.apply(key), dtype);
        }
        if (fed != null) {
            parametersByKey.put(cacheKey, fed);
            return fed;
        }
        String name = uniqueName(cacheKey);
        boolean stored = forCuda && dtype != DType.F32;
        initializers.add(new Initializer(name, stored ? onnxType(dtype) : OnnxModelWriter.FLOAT, shape, null));
        parameterKeys.put(name, key);
        parameterDTypes.put(name, dtype);
        Sym sym = new Sym(name, shape, true, dtype, stored);
        parametersByKey.put(cacheKey, sym);
        return sym;
    }

    /**
     * A float8 parameter as two graph inputs, its one-byte codes and its table ({@link Float8Tensor}, fed rounded to
     * {@code dtype}), looked up: {@code Gather(table, Cast(codes, int32))}, the float32 values the bound tensor would
     * hold. Inputs rather than initializers: ONNX Runtime folds a lookup of initializers into a float32 copy while it
     * builds the session, which is the memory this form saves.
     */
    private Sym float8Parameter(String key, long[] shape, DType dtype) {
        Sym codes = fedInput(key + "@float8", shape, OnnxModelWriter.UINT8,
                new RecordedGraph.Fed(key, RecordedGraph.Kind.FLOAT8_CODES, dtype));
        Sym table = fedInput(key + "@table", new long[] {Float8Tensor.CODES}, OnnxModelWriter.FLOAT,
                new RecordedGraph.Fed(key, RecordedGraph.Kind.FLOAT8_TABLE, dtype));
        Sym index = node("Cast", shape, List.of(codes), intAttr("to", OnnxModelWriter.INT32));
        return relabel(node("Gather", shape, List.of(table, index), intAttr("axis", 0)), dtype);
    }

    /**
     * A parameter of a streamed step on the CPU, fed at every run as the checkpoint stores it ({@code stored}: F32,
     * BF16 or F16; the mapped bytes themselves), widened to float32 and rounded to {@code dtype} in the graph: the
     * values a bound copy would hold, and a segment graph without weights of its own, so that one session serves every
     * block of the same shape ({@link #finishSegments}).
     */
    private Sym fedParameter(String key, long[] shape, DType stored, DType dtype) {
        Sym values = fedInput(key, shape, onnxType(stored), new RecordedGraph.Fed(key, RecordedGraph.Kind.VALUES, dtype));
        Sym wide = stored == DType.F32 ? values
                : node("Cast", shape, List.of(values), intAttr("to", OnnxModelWriter.FLOAT));
        boolean narrower = dtype != DType.F32 && dtype != stored;
        return narrower ? round(wide, dtype) : relabel(wide, dtype);
    }

    private Sym fedInput(String name, long[] shape, int elemType, RecordedGraph.Fed fed) {
        String graphName = uniqueName(name);
        fedInputs.add(new ValueInfo(graphName, shape.clone(), elemType));
        fedKeys.put(graphName, fed);
        return new Sym(graphName, shape.clone(), false);
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        Sym s = sym(x, "cast");
        if (s.dtype == dtype) {
            return s;
        }
        if (dtype == DType.F32) {
            return s.stored ? node("Cast", s.shape, List.of(s), intAttr("to", OnnxModelWriter.FLOAT)) : relabel(s, dtype);
        }
        if (dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("cast: networks compute in F32, BF16 or F16, not " + dtype);
        }
        return round((Sym) cast(s, DType.F32), dtype);
    }

    /** The float32 values of {@code s} rounded to {@code dtype}: a Cast there and back. */
    private Sym round(Sym s, DType dtype) {
        Sym low = node("Cast", s.shape, List.of(s), intAttr("to", onnxType(dtype)));
        return relabel(node("Cast", s.shape, List.of(low), intAttr("to", OnnxModelWriter.FLOAT)), dtype);
    }

    /** The same graph value, read as holding values of precision {@code dtype}. */
    private Sym relabel(Sym s, DType dtype) {
        return new Sym(s.name, s.shape, s.constant, dtype, false);
    }

    /** On the wire in {@code dtype}: the stored parameter itself, or a Cast of a float32 value. */
    private Sym wire(Sym s, DType dtype) {
        if (s == null || s.stored) {
            return s;
        }
        return node("Cast", s.shape, List.of(s), intAttr("to", onnxType(dtype)));
    }

    /** Float32 on the wire. */
    private Sym wireFloat(Sym s) {
        return s == null || !s.stored ? s : node("Cast", s.shape, List.of(s), intAttr("to", OnnxModelWriter.FLOAT));
    }

    /** The reduced dtype the operands of a kernel share, or F32; mixed dtypes are a network bug. */
    private static DType kernelDType(String op, Sym... operands) {
        DType d = null;
        for (Sym s : operands) {
            if (s == null) {
                continue;
            }
            if (d == null) {
                d = s.dtype;
            } else if (d != s.dtype) {
                throw new IllegalArgumentException(op + ": operands of different dtypes " + Arrays.toString(operands)
                        + " (" + d + ", " + s.dtype + "); cast first");
            }
        }
        return d == null ? DType.F32 : d;
    }

    /**
     * A kernel's float32 body applied to operands of dtype {@code d}: on the wire in {@code d} with
     * {@code forCuda} (Gemm / MatMul / Conv; the result cast to float32), else in float32 with the result
     * rounded to {@code d}.
     */
    private Tensor reduced(DType d, boolean onWire, java.util.function.Function<List<Sym>, Tensor> body,
            Sym... operands) {
        List<Sym> in = new ArrayList<>();
        for (Sym o : operands) {
            in.add(o == null ? null : onWire ? wire(o, d) : relabel(wireFloat(o), DType.F32));
        }
        Sym out = sym(body.apply(in), "reduced kernel");
        if (onWire) {
            return relabel(node("Cast", out.shape, List.of(out), intAttr("to", OnnxModelWriter.FLOAT)), d);
        }
        return round(out, d);
    }

    static int onnxType(DType dtype) {
        return switch (dtype) {
            case F32 -> OnnxModelWriter.FLOAT;
            case BF16 -> OnnxModelWriter.BFLOAT16;
            case F16 -> OnnxModelWriter.FLOAT16;
            default -> throw new IllegalArgumentException("no ONNX element type for " + dtype);
        };
    }

    @Override
    public Tensor constant(HostTensor value) {
        checkOpen();
        HostTensor f32 = value.toF32();
        long[] shape = f32.shape();
        if (f32.byteSize() > INLINE_CONSTANT_BYTES) {
            String name = uniqueName("constant");
            initializers.add(new Initializer(name, OnnxModelWriter.FLOAT, shape, null));
            boundConstants.put(name, f32);
            return new Sym(name, shape, true);
        }
        byte[] raw = new byte[(int) f32.byteSize()];
        f32.data().get(raw);
        return inlineConstant(OnnxModelWriter.FLOAT, shape, raw);
    }

    private Sym scalar(double value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value);
        return inlineConstant(OnnxModelWriter.FLOAT, new long[0], b.array());
    }

    private Sym int64s(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return inlineConstant(OnnxModelWriter.INT64, new long[] {values.length}, b.array());
    }

    private Sym inlineConstant(int dataType, long[] shape, byte[] raw) {
        // Identical small constants (scalars, shape vectors, axes) are shared.
        String cacheKey = dataType + Arrays.toString(shape) + Arrays.toString(raw);
        Sym cached = raw.length <= 256 ? smallConstants.get(cacheKey) : null;
        if (cached != null) {
            return cached;
        }
        String name = uniqueName("const");
        initializers.add(new Initializer(name, dataType, shape, raw));
        Sym sym = new Sym(name, shape, true);
        if (raw.length <= 256) {
            smallConstants.put(cacheKey, sym);
        }
        return sym;
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return binary("Add", a, b);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return binary("Sub", a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return binary("Mul", a, b);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return binary("Div", a, b);
    }

    @Override
    public Tensor add(Tensor a, double scalar) {
        Sym x = sym(a, "add");
        return node("Add", x.shape, x, scalar(scalar));
    }

    @Override
    public Tensor mul(Tensor a, double scalar) {
        Sym x = sym(a, "mul");
        return node("Mul", x.shape, x, scalar(scalar));
    }

    @Override
    public Tensor maximum(Tensor a, double floor) {
        Sym x = sym(a, "maximum");
        return node("Max", x.shape, x, scalar(floor));
    }

    @Override
    public Tensor clamp(Tensor a, double min, double max) {
        Sym x = sym(a, "clamp");
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        }
        return node("Clip", x.shape, x, scalar(min), scalar(max));
    }

    @Override
    public Tensor sqrt(Tensor a) {
        return unary("Sqrt", a);
    }

    @Override
    public Tensor tanh(Tensor a) {
        return unary("Tanh", a);
    }

    @Override
    public Tensor sigmoid(Tensor a) {
        return unary("Sigmoid", a);
    }

    @Override
    public Tensor erf(Tensor a) {
        return unary("Erf", a);
    }

    @Override
    public Tensor leakyRelu(Tensor a, double slope) {
        Sym x = sym(a, "leakyRelu");
        return node("LeakyRelu", x.shape, List.of(x), floatAttr("alpha", slope));
    }

    /** One {@code Gelu} node (opset 20) instead of the composite default. */
    @Override
    public Tensor geluErf(Tensor a) {
        Sym x = sym(a, "geluErf");
        return node("Gelu", x.shape, List.of(x));
    }

    @Override
    public Tensor geluTanh(Tensor a) {
        Sym x = sym(a, "geluTanh");
        return node("Gelu", x.shape, List.of(x), new Attribute("approximate", OnnxModelWriter.ATTR_STRING, "tanh"));
    }

    // ---------------------------------------------------------------- reductions and normalisation

    @Override
    public Tensor mean(Tensor x, int axis, boolean keepDims) {
        return reduce("ReduceMean", x, axis, keepDims);
    }

    /**
     * On the CPU a sum over the channel axis of an {@code [N, C, spatial...]} tensor is a 1×1 convolution with a ones
     * weight: ONNX Runtime runs {@code ReduceSum} over a middle axis as a one-row matrix product, and the Conv's GEMM
     * is 2.6× faster (the VAE decoder's RMS norm over {@code [1, 96, 4, 480, 832]}, {@link Ops#l2Normalize}: 676 →
     * 256 ms). Same sum, another order.
     */
    @Override
    public Tensor sum(Tensor x, int axis, boolean keepDims) {
        Sym s = sym(x, "sum");
        if (forCuda || !keepDims || axis(axis, s.shape.length, "sum") != 1 || s.shape.length < 3
                || s.dtype != DType.F32) {
            return reduce("ReduceSum", x, axis, keepDims);
        }
        int spatial = s.shape.length - 2;
        long[] onesShape = filled(s.shape.length, 1);
        onesShape[1] = s.shape[1];
        float[] ones = new float[Math.toIntExact(s.shape[1])];
        Arrays.fill(ones, 1f);
        long[] sumShape = s.shape.clone();
        sumShape[1] = 1;
        // straight to a Conv node: a pointwise kernel is already ONNX Runtime's direct GEMM (no depth-as-batch)
        return node("Conv", sumShape, List.of(s, sym(constant(HostTensor.ofFloats(onesShape, ones)), "sum")),
                intsAttr("kernel_shape", filled(spatial, 1)), intsAttr("strides", filled(spatial, 1)),
                intsAttr("pads", filled(2 * spatial, 0)), intsAttr("dilations", filled(spatial, 1)),
                intAttr("group", 1));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        Sym s = sym(x, "softmax");
        int ax = axis(axis, s.shape.length, "softmax");
        return node("Softmax", s.shape, List.of(s), intAttr("axis", ax));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        Sym s = sym(x, "layerNorm");
        if (s.shape.length == 0) {
            throw new IllegalArgumentException("layerNorm: input must have at least one axis, got a scalar");
        }
        long channels = s.shape[s.shape.length - 1];
        Sym w = weight == null ? null : sym(weight, "layerNorm weight");
        Sym b = bias == null ? null : sym(bias, "layerNorm bias");
        // LayerNormalization wants Scale / B of the normalised shape [C]; anything else is applied afterwards.
        boolean fuseWeight = w != null && Arrays.equals(w.shape, new long[] {channels});
        boolean fuseBias = b != null && Arrays.equals(b.shape, new long[] {channels}) && (w == null || fuseWeight);
        Sym scale = fuseWeight ? w : ones(channels);
        List<Sym> inputs = fuseBias ? List.of(s, scale, b) : List.of(s, scale);
        Sym y = node("LayerNormalization", s.shape, inputs, intAttr("axis", -1), floatAttr("epsilon", eps));
        Tensor out = y;
        if (w != null && !fuseWeight) {
            out = mul(out, w);
        }
        if (b != null && !fuseBias) {
            out = add(out, b);
        }
        return out;
    }

    private Sym ones(long channels) {
        float[] values = new float[Math.toIntExact(channels)];
        Arrays.fill(values, 1f);
        return (Sym) constant(HostTensor.ofFloats(new long[] {channels}, values));
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        Sym x = sym(a, "matmul");
        Sym y = sym(b, "matmul");
        DType d = kernelDType("matmul", x, y);
        return d == DType.F32 ? matmulF32(x, y)
                : reduced(d, forCuda, in -> matmulF32(in.get(0), in.get(1)), x, y);
    }

    private Tensor matmulF32(Tensor a, Tensor b) {
        Sym x = sym(a, "matmul");
        Sym y = sym(b, "matmul");
        return node("MatMul", matmulShape(x.shape, y.shape), x, y);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Sym in = sym(x, "linear");
        Sym w = sym(weight, "linear weight");
        Sym b = bias == null ? null : sym(bias, "linear bias");
        DType d = kernelDType("linear", in, w, b);
        return d == DType.F32 ? linearF32(in, w, b)
                : reduced(d, forCuda, o -> linearF32(o.get(0), o.get(1), o.get(2)), in, w, b);
    }

    private Tensor linearF32(Tensor x, Tensor weight, Tensor bias) {
        Sym in = sym(x, "linear");
        Sym w = sym(weight, "linear weight");
        if (w.shape.length != 2) {
            throw new IllegalArgumentException("linear: weight must be [out, in], got " + Shapes.toString(w.shape));
        }
        if (in.shape.length == 0 || in.shape[in.shape.length - 1] != w.shape[1]) {
            throw new IllegalArgumentException("linear: input " + Shapes.toString(in.shape)
                    + " does not end in the weight's in-features " + w.shape[1] + " (weight "
                    + Shapes.toString(w.shape) + ")");
        }
        long outFeatures = w.shape[0];
        Sym b = bias == null ? null : sym(bias, "linear bias");
        boolean gemmBias = b != null && Arrays.equals(b.shape, new long[] {outFeatures});
        if (b != null && !gemmBias) {
            broadcastShape(new long[] {1, outFeatures}, b.shape, "linear bias");
        }
        // Gemm with transB reads the [out, in] weight as is: no Transpose node, nothing for ORT to fold into a
        // second copy of the weight.
        long rows = Shapes.elementCount(Arrays.copyOf(in.shape, in.shape.length - 1));
        Sym flat = in.shape.length == 2 ? in : reshapeSym(in, new long[] {rows, w.shape[1]});
        List<Sym> inputs = gemmBias ? List.of(flat, w, b) : List.of(flat, w);
        Sym y = node("Gemm", new long[] {rows, outFeatures}, inputs, intAttr("transB", 1));
        long[] outShape = in.shape.clone();
        outShape[outShape.length - 1] = outFeatures;
        Tensor out = in.shape.length == 2 ? y : reshapeSym(y, outShape);
        return b != null && !gemmBias ? add(out, b) : out;
    }

    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd,
            int groups) {
        Sym in = sym(x, "conv");
        Sym w = sym(weight, "conv weight");
        Sym b = bias == null ? null : sym(bias, "conv bias");
        DType d = kernelDType("conv", in, w, b);
        return d == DType.F32 ? convF32(in, w, b, stride, padBegin, padEnd, groups)
                // the CUDA provider registers Conv for fp16 but not for bf16
                : reduced(d, forCuda && d == DType.F16, o -> convF32(o.get(0), o.get(1), o.get(2), stride,
                        padBegin, padEnd, groups), in, w, b);
    }

    private Tensor convF32(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd,
            int groups) {
        Sym in = sym(x, "conv");
        Sym w = sym(weight, "conv weight");
        int spatial = in.shape.length - 2;
        String where = "conv: input " + Shapes.toString(in.shape) + ", weight " + Shapes.toString(w.shape);
        if (spatial < 1 || w.shape.length != in.shape.length) {
            throw new IllegalArgumentException(where + ": input must be [N, C, spatial...] and weight of the same rank");
        }
        if (stride.length != spatial || padBegin.length != spatial || padEnd.length != spatial) {
            throw new IllegalArgumentException(where + ": stride/padding need " + spatial + " entries, got "
                    + Arrays.toString(stride) + " " + Arrays.toString(padBegin) + " " + Arrays.toString(padEnd));
        }
        if (groups < 1 || in.shape[1] % groups != 0 || w.shape[0] % groups != 0
                || in.shape[1] / groups != w.shape[1]) {
            throw new IllegalArgumentException(where + ": " + in.shape[1] + " input channels in " + groups
                    + " group(s) do not match the weight's " + w.shape[1] + " channels per group");
        }
        Sym b = null;
        if (bias != null) {
            b = sym(bias, "conv bias");
            if (!Arrays.equals(b.shape, new long[] {w.shape[0]})) {
                throw new IllegalArgumentException(where + ": bias " + Shapes.toString(b.shape) + " must be ["
                        + w.shape[0] + "]");
            }
        }
        if (options.depthAsBatch() && spatial == 3 && groups == 1 && in.shape[0] == 1 && stride[0] == 1
                && padBegin[0] == 0 && padEnd[0] == 0 && in.shape[2] >= w.shape[2]
                && Shapes.elementCount(in.shape) * Float.BYTES <= DEPTH_AS_BATCH_MAX_INPUT_BYTES) {
            return depthAsBatch(in, w, b, stride, padBegin, padEnd);
        }
        // On the CPU Conv takes the padding as it is. For CUDA, padding common to both sides goes into Conv
        // (cuDNN wants symmetric pads) and the asymmetric rest is an explicit Pad in front.
        long[] extraBefore = new long[in.shape.length];
        long[] extraAfter = new long[in.shape.length];
        long[] pads = new long[2 * spatial];
        boolean asymmetric = false;
        for (int i = 0; i < spatial; i++) {
            if (padBegin[i] < 0 || padEnd[i] < 0 || stride[i] < 1) {
                throw new IllegalArgumentException(where + ": negative padding or stride < 1");
            }
            long common = forCuda ? Math.min(padBegin[i], padEnd[i]) : padBegin[i];
            pads[i] = common;
            pads[spatial + i] = forCuda ? common : padEnd[i];
            extraBefore[2 + i] = padBegin[i] - common;
            extraAfter[2 + i] = padEnd[i] - pads[spatial + i];
            asymmetric |= extraBefore[2 + i] != 0 || extraAfter[2 + i] != 0;
        }
        Sym padded = asymmetric ? (Sym) pad(in, extraBefore, extraAfter, 0.0) : in;
        long[] kernel = Arrays.copyOfRange(w.shape, 2, w.shape.length);
        long[] outShape = new long[in.shape.length];
        outShape[0] = in.shape[0];
        outShape[1] = w.shape[0];
        for (int i = 0; i < spatial; i++) {
            long extent = padded.shape[2 + i] + pads[i] + pads[spatial + i] - kernel[i];
            if (extent < 0) {
                throw new IllegalArgumentException(where + ": kernel " + kernel[i] + " larger than padded axis "
                        + (2 + i));
            }
            outShape[2 + i] = extent / stride[i] + 1;
        }
        List<Sym> inputs = b == null ? List.of(padded, w) : List.of(padded, w, b);
        long[] strides = Arrays.stream(stride).asLongStream().toArray();
        return node("Conv", outShape, inputs, intsAttr("kernel_shape", kernel), intsAttr("strides", strides),
                intsAttr("pads", pads), intsAttr("dilations", filled(spatial, 1)), intAttr("group", groups));
    }

    /**
     * A 3-D convolution {@code x [1, C, D, H, W] * w [O, C, k, kh, kw]} (depth stride 1, no depth padding) as 2-D
     * convolutions whose batch is the {@code D − k + 1} output frames: depth tap {@code j} convolves input frames
     * {@code j..j+F−1} with the kernel slice {@code w[:, :, j]} (a weight slice ONNX Runtime folds once), and the k
     * results are summed (the bias in the first). Same sums, another order. One conv per tap rather than one over
     * the taps stacked along the channels: the stacked input (k copies of the frames) and its blocked (NCHWc) copy
     * were the largest tensors of a VAE decode (VAE decode 256x256, dim 16: peak RSS 930 → 790 MiB measured under load, and less CPU time).
     */
    private Tensor depthAsBatch(Sym x, Sym w, Sym b, int[] stride, int[] padBegin, int[] padEnd) {
        long c = x.shape[1];
        long depth = x.shape[2];
        long o = w.shape[0];
        long k = w.shape[2];
        long frames = depth - k + 1;
        Tensor perFrame = reshape(permute(x, 0, 2, 1, 3, 4), depth, c, x.shape[3], x.shape[4]);
        int[] stride2 = {stride[1], stride[2]};
        int[] begin2 = {padBegin[1], padBegin[2]};
        int[] end2 = {padEnd[1], padEnd[2]};
        Tensor y = null;
        for (long j = 0; j < k; j++) {
            Tensor tap = k == 1 ? perFrame : slice(perFrame, 0, j, j + frames);
            Tensor weight = reshape(k == 1 ? w : slice(w, 2, j, j + 1), o, c, w.shape[3], w.shape[4]);
            Tensor part = conv(tap, weight, j == 0 ? b : null, stride2, begin2, end2, 1);
            y = y == null ? part : add(y, part);
        }
        long[] s = y.shape();
        return permute(reshape(y, 1, frames, o, s[2], s[3]), 0, 2, 1, 3, 4);
    }

    /** In a reduced dtype always the rounding form (also with {@code forCuda}). */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        Sym query = sym(q, "attention q");
        Sym key = sym(k, "attention k");
        Sym value = sym(v, "attention v");
        Sym b = bias == null ? null : sym(bias, "attention bias");
        DType d = kernelDType("attention", query, key, value, b);
        return d == DType.F32 ? attentionF32(query, key, value, b, scale)
                : reduced(d, false, o -> attentionF32(o.get(0), o.get(1), o.get(2), o.get(3), scale), query, key,
                        value, b);
    }

    private Tensor attentionF32(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        Sym query = sym(q, "attention q");
        Sym key = sym(k, "attention k");
        Sym value = sym(v, "attention v");
        Sym b = bias == null ? null : sym(bias, "attention bias");
        String where = "attention: q " + Shapes.toString(query.shape) + ", k " + Shapes.toString(key.shape)
                + ", v " + Shapes.toString(value.shape);
        if (query.shape.length != 4 || key.shape.length != 4 || value.shape.length != 4) {
            throw new IllegalArgumentException(where + ": q, k and v must be [B, H, L, d]");
        }
        if (query.shape[3] != key.shape[3] || key.shape[2] != value.shape[2]) {
            throw new IllegalArgumentException(where + ": q and k need the same head size, k and v the same length");
        }
        long[] scoreShape = matmulShape(query.shape, new long[] {key.shape[0], key.shape[1], key.shape[3],
            key.shape[2]});
        if (b != null) {
            long[] full = broadcastShape(scoreShape, b.shape, where + ", bias " + Shapes.toString(b.shape));
            if (!Arrays.equals(full, scoreShape)) {
                throw new IllegalArgumentException(where + ": bias " + Shapes.toString(b.shape)
                        + " does not broadcast to the scores " + Shapes.toString(scoreShape));
            }
        }
        boolean sameBatchAndHeads = query.shape[0] == key.shape[0] && key.shape[0] == value.shape[0]
                && query.shape[1] == key.shape[1] && key.shape[1] == value.shape[1];
        // With 4-D key/value, MultiHeadAttention wants k and v of one shape (ORT 1.23: "Input 'key' and 'value'
        // shall have same shape"), so a value head size other than the query's takes the plain form.
        if (options.fusedAttention() && sameBatchAndHeads && value.shape[3] == key.shape[3]) {
            return fusedAttention(query, key, value, b, scale);
        }
        return plainAttention(query, key, value, b, scale, scoreShape);
    }

    /**
     * {@code com.microsoft.MultiHeadAttention}: query as [B, Lq, H·d], key and value in their BNSH layout
     * [B, H, Lk, d] (the "cross attention with past" form), bias as {@code attention_bias} [B|1, H|1, Lq, Lk].
     */
    private Tensor fusedAttention(Sym q, Sym k, Sym v, Sym bias, double scale) {
        long batch = q.shape[0];
        long heads = q.shape[1];
        long lq = q.shape[2];
        long lk = k.shape[2];
        long dv = v.shape[3];
        Sym query = reshapeSym(transpose(q, 0, 2, 1, 3), new long[] {batch, lq, heads * q.shape[3]});
        List<Sym> inputs = new ArrayList<>(List.of(query, k, v));
        if (bias != null) {
            inputs.add(empty());   // bias (packed projection bias)
            inputs.add(empty());   // key_padding_mask
            inputs.add(attentionBias(bias, batch, heads, lq, lk));
        }
        usesFusedAttention = true;
        Sym out = node(MS_DOMAIN, "MultiHeadAttention", new long[] {batch, lq, heads * dv}, inputs,
                intAttr("num_heads", heads), floatAttr("scale", scale));
        return transpose(reshapeSym(out, new long[] {batch, lq, heads, dv}), 0, 2, 1, 3);
    }

    private Sym attentionBias(Sym bias, long batch, long heads, long lq, long lk) {
        Sym b = bias;
        if (b.shape.length < 4) {
            long[] padded = new long[4];
            Arrays.fill(padded, 1);
            System.arraycopy(b.shape, 0, padded, 4 - b.shape.length, b.shape.length);
            b = reshapeSym(b, padded);
        }
        // MultiHeadAttention broadcasts attention_bias over batch and heads only.
        if (b.shape[2] != lq || b.shape[3] != lk) {
            b = (Sym) broadcastTo(b, b.shape[0], b.shape[1], lq, lk);
        }
        return b;
    }

    private Tensor plainAttention(Sym q, Sym k, Sym v, Sym bias, double scale, long[] scoreShape) {
        long lq = q.shape[2];
        long scoreBytes = Shapes.elementCount(scoreShape) * 4;
        long chunks = Math.min(lq, Math.max(1, (scoreBytes + options.attentionChunkBytes() - 1)
                / options.attentionChunkBytes()));
        long chunkLength = (lq + chunks - 1) / chunks;
        Sym keyT = transpose(k, 0, 1, 3, 2);
        List<Tensor> parts = new ArrayList<>();
        for (long start = 0; start < lq; start += chunkLength) {
            long end = Math.min(lq, start + chunkLength);
            Sym qc = chunks == 1 ? q : (Sym) slice(q, 2, start, end);
            Tensor scores = mul(matmul(qc, keyT), scale);
            if (bias != null) {
                Sym bc = bias;
                boolean biasHasQueryAxis = bias.shape.length >= 2 && bias.shape[bias.shape.length - 2] != 1;
                if (chunks > 1 && biasHasQueryAxis) {
                    bc = (Sym) slice(bias, -2, start, end);
                }
                scores = add(scores, bc);
            }
            parts.add(matmul(softmax(scores, -1), v));
        }
        return parts.size() == 1 ? parts.get(0) : concat(2, parts);
    }

    // ---------------------------------------------------------------- layout

    @Override
    public Tensor reshape(Tensor x, long... shape) {
        Sym s = sym(x, "reshape");
        long[] resolved = shape.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape " + Shapes.toString(s.shape) + " to "
                            + Arrays.toString(shape) + ": more than one -1");
                }
                inferred = i;
            } else if (resolved[i] < 0) {
                throw new IllegalArgumentException("reshape to " + Arrays.toString(shape) + ": negative size");
            } else {
                known *= resolved[i];
            }
        }
        long count = Shapes.elementCount(s.shape);
        if (inferred >= 0) {
            if (known == 0 || count % known != 0) {
                throw new IllegalArgumentException("reshape " + Shapes.toString(s.shape) + " to "
                        + Arrays.toString(shape) + ": " + count + " elements do not fit");
            }
            resolved[inferred] = count / known;
        }
        if (Shapes.elementCount(resolved) != count) {
            throw new IllegalArgumentException("reshape " + Shapes.toString(s.shape) + " (" + count
                    + " elements) to " + Arrays.toString(shape));
        }
        return reshapeSym(s, resolved);
    }

    private Sym reshapeSym(Sym s, long[] resolved) {
        if (Arrays.equals(s.shape, resolved)) {
            return s;
        }
        boolean hasZero = Arrays.stream(resolved).anyMatch(d -> d == 0);
        // allowzero keeps a literal 0 a 0 instead of "copy this axis from the input".
        return hasZero ? node("Reshape", resolved, List.of(s, int64s(resolved)), intAttr("allowzero", 1))
                : node("Reshape", resolved, s, int64s(resolved));
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        Sym s = sym(x, "permute");
        int rank = s.shape.length;
        if (axes.length != rank) {
            throw new IllegalArgumentException("permute " + Shapes.toString(s.shape) + " by " + Arrays.toString(axes)
                    + ": need " + rank + " axes");
        }
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = axis(axes[i], rank, "permute");
            if (seen[perm[i]]) {
                throw new IllegalArgumentException("permute by " + Arrays.toString(axes) + ": repeated axis");
            }
            seen[perm[i]] = true;
        }
        return transpose(s, perm);
    }

    private Sym transpose(Sym s, int... perm) {
        long[] out = new long[perm.length];
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) {
            out[i] = s.shape[perm[i]];
            identity &= perm[i] == i;
        }
        if (identity) {
            return s;
        }
        // The same value transposed the same way is one node (the VAE's four upsampling phases read one input).
        return transposes.computeIfAbsent(s.name + Arrays.toString(perm) + s.dtype, k -> node("Transpose", out,
                List.of(s), intsAttr("perm", Arrays.stream(perm).asLongStream().toArray())));
    }

    @Override
    public Tensor slice(Tensor x, int axis, long start, long end) {
        Sym s = sym(x, "slice");
        int ax = axis(axis, s.shape.length, "slice");
        long size = s.shape[ax];
        if (start < 0 || end > size || start > end) {
            throw new IllegalArgumentException("slice " + Shapes.toString(s.shape) + " axis " + axis + " ["
                    + start + ", " + end + "): out of range 0.." + size);
        }
        if (start == 0 && end == size) {
            return s;
        }
        long[] out = s.shape.clone();
        out[ax] = end - start;
        return node("Slice", out, s, int64s(start), int64s(end), int64s(ax));
    }

    @Override
    public Tensor concat(int axis, List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat of nothing");
        }
        List<Sym> syms = new ArrayList<>();
        for (Tensor t : parts) {
            syms.add(sym(t, "concat"));
        }
        long[] first = syms.get(0).shape;
        int ax = axis(axis, first.length, "concat");
        long[] out = first.clone();
        out[ax] = 0;
        for (Sym p : syms) {
            boolean fits = p.shape.length == first.length;
            for (int i = 0; fits && i < first.length; i++) {
                fits = i == ax || p.shape[i] == first[i];
            }
            if (!fits) {
                throw new IllegalArgumentException("concat on axis " + axis + ": shapes "
                        + syms.stream().map(t -> Shapes.toString(t.shape)).toList() + " differ off that axis");
            }
            out[ax] += p.shape[ax];
        }
        if (syms.size() == 1) {
            return syms.get(0);
        }
        return node("Concat", out, syms, intAttr("axis", ax));
    }

    @Override
    public Tensor pad(Tensor x, long[] before, long[] after, double value) {
        Sym s = sym(x, "pad");
        int rank = s.shape.length;
        if (before.length != rank || after.length != rank) {
            throw new IllegalArgumentException("pad " + Shapes.toString(s.shape) + ": before "
                    + Arrays.toString(before) + " / after " + Arrays.toString(after) + " need " + rank + " entries");
        }
        long[] out = new long[rank];
        long[] pads = new long[2 * rank];
        boolean any = false;
        for (int i = 0; i < rank; i++) {
            out[i] = s.shape[i] + before[i] + after[i];
            if (out[i] < 0) {
                throw new IllegalArgumentException("pad " + Shapes.toString(s.shape) + " by "
                        + Arrays.toString(before) + " / " + Arrays.toString(after) + ": negative size on axis " + i);
            }
            pads[i] = before[i];
            pads[rank + i] = after[i];
            any |= before[i] != 0 || after[i] != 0;
        }
        if (!any) {
            return s;
        }
        return node("Pad", out, List.of(s, int64s(pads), scalar(value)), new Attribute("mode",
                OnnxModelWriter.ATTR_STRING, "constant"));
    }

    @Override
    public Tensor broadcastTo(Tensor x, long... shape) {
        Sym s = sym(x, "broadcastTo");
        long[] result = broadcastShape(s.shape, shape, "broadcastTo " + Arrays.toString(shape));
        if (!Arrays.equals(result, shape)) {
            throw new IllegalArgumentException("cannot broadcast " + Shapes.toString(s.shape) + " to "
                    + Arrays.toString(shape));
        }
        if (Arrays.equals(s.shape, shape)) {
            return s;
        }
        return node("Expand", shape.clone(), s, int64s(shape));
    }

    /**
     * Zeros computed from {@code like} when the graph runs ({@code Where(false, like, 0)}): a zero tensor made of
     * constants alone (an {@code Expand} of a constant) is materialised by ONNX Runtime's constant folding as an
     * initializer of its full size while the session is built (1.23 puts no bound on it; microsoft/onnxruntime#28730),
     * which for the VAE's start chunk at 480×832 meant gigabytes of zero initializers and a minute of session build.
     * The zeros are exact whatever {@code like} holds (no {@code 0 × inf}).
     */
    @Override
    public Tensor zerosLike(Tensor like) {
        Sym x = sym(like, "zerosLike");
        return node("Where", x.shape.clone(), inlineConstant(OnnxModelWriter.BOOL, new long[0], new byte[] {0}), x,
                scalar(0));
    }

    // ---------------------------------------------------------------- helpers

    private Tensor unary(String op, Tensor a) {
        Sym x = sym(a, op);
        return node(op, x.shape, x);
    }

    private Tensor binary(String op, Tensor a, Tensor b) {
        Sym x = sym(a, op);
        Sym y = sym(b, op);
        return node(op, broadcastShape(x.shape, y.shape, op), x, y);
    }

    private Tensor reduce(String op, Tensor x, int axis, boolean keepDims) {
        Sym s = sym(x, op);
        int ax = axis(axis, s.shape.length, op);
        long[] out;
        if (keepDims) {
            out = s.shape.clone();
            out[ax] = 1;
        } else {
            out = new long[s.shape.length - 1];
            for (int i = 0, j = 0; i < s.shape.length; i++) {
                if (i != ax) {
                    out[j++] = s.shape[i];
                }
            }
        }
        return node(op, out, List.of(s, int64s(ax)), intAttr("keepdims", keepDims ? 1 : 0));
    }

    private Sym node(String op, long[] outShape, Sym... inputs) {
        return node("", op, outShape, List.of(inputs));
    }

    private Sym node(String op, long[] outShape, List<Sym> inputs, Attribute... attributes) {
        return node("", op, outShape, inputs, attributes);
    }

    private Sym node(String domain, String op, long[] outShape, List<Sym> inputs, Attribute... attributes) {
        checkOpen();
        String out = uniqueName("v");
        List<String> inNames = inputs.stream().map(s -> s.name).toList();
        nodes.add(new Node(op + "_" + nodes.size(), op, domain, inNames, List.of(out), List.of(attributes)));
        boolean constant = inputs.stream().allMatch(s -> s.constant);
        if (LAYOUT_OPS.contains(op) && !inputs.isEmpty()) {
            Sym first = inputs.get(0);
            return new Sym(out, outShape.clone(), constant, first.dtype, first.stored);
        }
        return new Sym(out, outShape.clone(), constant);
    }

    /** An omitted optional input (ONNX spells it as the empty name). */
    private Sym empty() {
        return new Sym("", new long[0], true);
    }

    private Sym sym(Tensor t, String where) {
        if (t == null) {
            throw new IllegalArgumentException(where + ": tensor is null");
        }
        if (!(t instanceof Sym s) || s.owner() != this) {
            throw new IllegalArgumentException(where + ": tensor " + t + " was not created by this recorder");
        }
        return s;
    }

    private String uniqueName(String preferred) {
        String name = preferred.isEmpty() ? "v" : preferred;
        if (preferred.equals("v") || preferred.equals("const") || preferred.equals("constant")) {
            name = preferred + counter++;
        }
        while (!usedNames.add(name)) {
            name = preferred + "_" + counter++;
        }
        return name;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("this recorder has already finished its graph");
        }
    }

    private static int axis(int axis, int rank, String where) {
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new IllegalArgumentException(where + ": axis " + axis + " out of range for rank " + rank);
        }
        return ax;
    }

    static long[] broadcastShape(long[] a, long[] b, String where) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(where + ": shapes " + Shapes.toString(a) + " and "
                        + Shapes.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static long[] matmulShape(long[] a, long[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("matmul of a scalar: " + Shapes.toString(a) + " x " + Shapes.toString(b));
        }
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        long inner = a2[a2.length - 1];
        if (inner != b2[b2.length - 2]) {
            throw new IllegalArgumentException("matmul: " + Shapes.toString(a) + " x " + Shapes.toString(b)
                    + ": inner sizes " + inner + " and " + b2[b2.length - 2] + " differ");
        }
        long[] batch = broadcastShape(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2),
                "matmul batch axes of " + Shapes.toString(a) + " x " + Shapes.toString(b));
        List<Long> out = new ArrayList<>();
        for (long d : batch) {
            out.add(d);
        }
        if (a.length > 1) {
            out.add(a2[a2.length - 2]);
        }
        if (b.length > 1) {
            out.add(b2[b2.length - 1]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] filled(int n, long value) {
        long[] out = new long[n];
        Arrays.fill(out, value);
        return out;
    }

    private static Attribute intAttr(String name, long value) {
        return new Attribute(name, OnnxModelWriter.ATTR_INT, value);
    }

    private static Attribute floatAttr(String name, double value) {
        return new Attribute(name, OnnxModelWriter.ATTR_FLOAT, (float) value);
    }

    private static Attribute intsAttr(String name, long[] values) {
        return new Attribute(name, OnnxModelWriter.ATTR_INTS, values);
    }

    private static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
