package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Eager execution of {@link Ops} on DJL NDArrays (PyTorch engine), for one forward call.
 *
 * <p>Memory: every result is owned by the current scope, an {@link NDManager}. A call starts with the call's
 * manager; {@link #scoped} opens a child manager, and when the body returns only its result is moved to the
 * parent before the child (with every intermediate) is closed. DJL puts the result of an op into the manager
 * of its first operand, so {@link #op} re-attaches each result to the current scope; weights stay in the
 * network's manager because an op never returns an operand's own array as a new result. {@link #chain} keeps
 * each step's result in a manager of its own and closes it once the next step has returned, so a stack of
 * blocks holds two activations rather than one per block.
 *
 * <p>Reduced precision. fp16 tensors are real {@code FLOAT16} NDArrays (weights uploaded as fp16; PyTorch's CPU
 * and CUDA kernels compute Linear, conv, matmul and softmax on them). bf16 cannot be: DJL 0.36's PyTorch JNI aborts
 * the process (native {@code terminate}) when an array is created in or cast to {@code BFLOAT16}, so a bf16 tensor
 * is a float32 array holding bf16 values, labelled BF16: weights are rounded once when uploaded, casts round by
 * Veltkamp's split, and a kernel on bf16 operands computes in float32 and rounds its result. Numerically that is a
 * bf16 kernel with float32 accumulation; it saves no memory.
 *
 * <p>Compositions where DJL has no single call: {@code geluTanh}, {@code silu} and {@code rmsNorm} use the
 * interface defaults; asymmetric conv padding is an explicit pad followed by an unpadded convolution;
 * {@code layerNorm} without affine parameters passes ones/zeros (made once per call); {@code attention} is matmul–softmax–matmul,
 * split along the queries when the score matrix would exceed the chunk budget.
 */
final class DjlOps implements Ops {

    /** {@code 2^(24−8) + 1}: Veltkamp's constant splitting a float32 (24 bits) into its top 8 bits (bf16). */
    private static final float BF16_SPLIT = 65537f;

    private final DjlParameters parameters;
    private final long attentionChunkBytes;
    private final NDManager callManager;
    private final Map<Long, NDArray[]> identityAffine = new HashMap<>();
    /** Arrays known to own exactly their storage (concatenations): never views into a larger intermediate. */
    private final Set<NDArray> ownStorage = Collections.newSetFromMap(new IdentityHashMap<>());
    private NDManager scope;

    DjlOps(NDManager callManager, DjlParameters parameters, long attentionChunkBytes) {
        this.callManager = callManager;
        this.scope = callManager;
        this.parameters = parameters;
        this.attentionChunkBytes = attentionChunkBytes;
    }

    // ---------------------------------------------------------------- host transfer

    /** Copies a host input to the device as float32, owned by the current scope. */
    Tensor input(String name, HostTensor host) {
        NDArray array = scope.create(host.asFloatBuffer(), new Shape(host.shape()), DataType.FLOAT32);
        array.setName(name);
        return new DjlTensor(array);
    }

    /** Copies a result back to the host (float32, row-major) before its manager is closed. */
    static HostTensor toHost(Tensor tensor) {
        NDArray array = nd(tensor);
        if (array.getDataType() != DataType.FLOAT32) {
            array = array.toType(DataType.FLOAT32, false);
        }
        long[] shape = tensor.shape();
        if (Shapes.elementCount(shape) == 0) {
            return HostTensor.zeros(shape);
        }
        // the direct buffer views native memory (made contiguous and on the CPU first): copy it out now
        ByteBuffer view = array.toByteBuffer(true);
        ByteBuffer copy = ByteBuffer.allocateDirect(view.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(view.duplicate().order(ByteOrder.nativeOrder()));
        copy.flip();
        return HostTensor.of(DType.F32, shape, copy);
    }

    // ---------------------------------------------------------------- sources

    @Override
    public Tensor parameter(String key) {
        return parameter(ParameterSpec.required(key));
    }

    /**
     * The weight as uploaded in its stored dtype (fp16 NDArray, or float32 holding bf16 values); a float8 weight is
     * looked up in its table into an array of the current scope.
     */
    @Override
    public Tensor parameter(ParameterSpec spec) {
        NDArray array = parameters.get(spec).read(scope);
        return spec.dtype() == DType.BF16 ? new DjlTensor(array, DType.BF16) : new DjlTensor(array);
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        if (dtype == DType.BF16) {
            return roundToBf16(cast(x, DType.F32));
        }
        if (x.dtype() == DType.BF16 && dtype == DType.F32) {
            return new DjlTensor(nd(x), DType.F32);   // already float32 holding bf16 values
        }
        DataType target = dataType(dtype);
        return op("cast to " + dtype, () -> nd(x).toType(target, false), x);
    }

    /**
     * Float32 values rounded to bf16 precision (8 significant bits, to nearest) by Veltkamp's split
     * {@code t = x·(2¹⁶+1); hi = t − (t − x)}, in float32 arithmetic; the result is labelled BF16.
     */
    private Tensor roundToBf16(Tensor x) {
        Tensor rounded = op("round to bf16", () -> {
            NDArray a = nd(x);
            try (NDArray t = a.mul(BF16_SPLIT); NDArray d = t.sub(a)) {
                return t.sub(d);
            }
        }, x);
        return new DjlTensor(nd(rounded), DType.BF16);
    }

    /** A kernel result on bf16 operands is rounded to bf16, as a bf16 kernel with float32 accumulation returns it. */
    private Tensor reduced(Tensor result, Tensor... operands) {
        for (Tensor t : operands) {
            if (t != null && t.dtype() == DType.BF16) {
                return roundToBf16(result);
            }
        }
        return result;
    }

    /** The DJL data type of a {@link DType} held natively (bf16 is not: DJL 0.36's PyTorch JNI aborts on it). */
    static DataType dataType(DType dtype) {
        return switch (dtype) {
            case F32, BF16 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            default -> throw new IllegalArgumentException("networks compute in F32, BF16 or F16, not " + dtype);
        };
    }

    /** The {@link DType} of a DJL data type the networks use. */
    static DType dtype(DataType type) {
        return switch (type) {
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case FLOAT64 -> DType.F64;
            default -> throw new IllegalArgumentException("unexpected tensor data type " + type);
        };
    }

    @Override
    public Tensor constant(HostTensor value) {
        return new DjlTensor(scope.create(value.asFloatBuffer(), new Shape(value.shape()), DataType.FLOAT32));
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return op("add", () -> nd(a).add(nd(b)), a, b);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return op("sub", () -> nd(a).sub(nd(b)), a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return op("mul", () -> nd(a).mul(nd(b)), a, b);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return op("div", () -> nd(a).div(nd(b)), a, b);
    }

    @Override
    public Tensor add(Tensor a, double scalar) {
        return op("add(scalar)", () -> nd(a).add((float) scalar), a);
    }

    @Override
    public Tensor mul(Tensor a, double scalar) {
        return op("mul(scalar)", () -> nd(a).mul((float) scalar), a);
    }

    @Override
    public Tensor maximum(Tensor a, double floor) {
        return op("maximum", () -> nd(a).maximum((float) floor), a);
    }

    @Override
    public Tensor clamp(Tensor a, double min, double max) {
        return op("clamp", () -> nd(a).clip((float) min, (float) max), a);
    }

    @Override
    public Tensor sqrt(Tensor a) {
        return op("sqrt", () -> nd(a).sqrt(), a);
    }

    @Override
    public Tensor tanh(Tensor a) {
        return op("tanh", () -> nd(a).tanh(), a);
    }

    @Override
    public Tensor sigmoid(Tensor a) {
        return op("sigmoid", () -> Activation.sigmoid(nd(a)), a);
    }

    @Override
    public Tensor erf(Tensor a) {
        return op("erf", () -> nd(a).erf(), a);
    }

    @Override
    public Tensor leakyRelu(Tensor a, double slope) {
        return op("leakyRelu", () -> Activation.leakyRelu(nd(a), (float) slope), a);
    }

    @Override
    public Tensor square(Tensor a) {
        return op("square", () -> nd(a).square(), a);
    }

    /** SiLU as sigmoid, then the product written into the sigmoid's own buffer: one full-size result, not two. */
    @Override
    public Tensor silu(Tensor a) {
        return op("silu", () -> Activation.sigmoid(nd(a)).muli(nd(a)), a);
    }

    /**
     * {@code x / max(√Σx², eps)} with the squares summed by {@code sum} and freed at once. Not PyTorch's
     * {@code F.normalize}: its norm kernel reduces an axis that is not the innermost element by element (the VAE's
     * channel norm spent more time in it than in its convolutions), while {@code sum} vectorises across the
     * positions.
     */
    @Override
    public Tensor l2Normalize(Tensor x, int axis, double eps) {
        return op("l2Normalize(axis " + axis + ")", () -> {
            NDArray a = nd(x);
            try (NDArray squares = a.square();
                    NDArray sumOfSquares = squares.sum(new int[] {axis(x, axis)}, true);
                    NDArray norm = sumOfSquares.sqrt();
                    NDArray clamped = norm.maximum(eps)) {
                return a.div(clamped);
            }
        }, x);
    }

    /** PyTorch's exact (erf) GELU in one kernel. */
    @Override
    public Tensor geluErf(Tensor x) {
        return op("geluErf", () -> Activation.gelu(nd(x)), x);
    }

    // ---------------------------------------------------------------- reductions and normalisation

    @Override
    public Tensor mean(Tensor x, int axis, boolean keepDims) {
        return op("mean(axis " + axis + ")", () -> nd(x).mean(new int[] {axis(x, axis)}, keepDims), x);
    }

    @Override
    public Tensor sum(Tensor x, int axis, boolean keepDims) {
        return op("sum(axis " + axis + ")", () -> nd(x).sum(new int[] {axis(x, axis)}, keepDims), x);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return op("softmax(axis " + axis + ")", () -> nd(x).softmax(axis(x, axis)), x);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return op("layerNorm", () -> {
            long features = x.dim(-1);
            NDArray w = weight != null ? nd(weight) : identityAffine(features)[0];
            NDArray b = bias != null ? nd(bias) : identityAffine(features)[1];
            return LayerNorm.layerNorm(nd(x), new Shape(features), w, b, (float) eps).singletonOrThrow();
        }, x, weight, bias);
    }

    /** Ones and zeros of length {@code features}, made once per call in the call's manager. */
    private NDArray[] identityAffine(long features) {
        return identityAffine.computeIfAbsent(features,
                f -> new NDArray[] {callManager.ones(new Shape(f)), callManager.zeros(new Shape(f))});
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return reduced(op("matmul", () -> nd(a).matMul(nd(b)), a, b), a, b);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return reduced(op("linear", () -> Linear.linear(nd(x), nd(weight), bias == null ? null : nd(bias))
                .singletonOrThrow(), x, weight, bias), x, weight, bias);
    }

    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups) {
        int spatial = x.rank() - 2;
        String name = "conv" + spatial + "d(stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(padBegin)
                + "/" + Arrays.toString(padEnd) + ", groups " + groups + ")";
        if (spatial < 1 || spatial > 3 || stride.length != spatial || padBegin.length != spatial
                || padEnd.length != spatial) {
            throw new IllegalArgumentException("conv needs an input of rank 3 to 5 and one stride/padding entry per "
                    + "spatial axis, got input " + Shapes.toString(x.shape()) + ", stride " + Arrays.toString(stride)
                    + ", padding " + Arrays.toString(padBegin) + "/" + Arrays.toString(padEnd));
        }
        return reduced(op(name, () -> {
            long[] symmetricPadding = new long[spatial];
            NDArray padded = null;
            boolean trimmed = !Arrays.equals(padBegin, padEnd) && unitStrideWhereAsymmetric(stride, padBegin, padEnd);
            if (Arrays.equals(padBegin, padEnd)) {
                symmetricPadding = toLongs(padBegin);
            } else if (trimmed) {
                // The larger padding on both sides, then the extra outputs cut off: no padded copy of the input.
                for (int i = 0; i < spatial; i++) {
                    symmetricPadding[i] = Math.max(padBegin[i], padEnd[i]);
                }
            } else {
                long[] before = new long[x.rank()];
                long[] after = new long[x.rank()];
                for (int i = 0; i < spatial; i++) {
                    before[i + 2] = padBegin[i];
                    after[i + 2] = padEnd[i];
                }
                padded = nd(x).pad(torchPadding(before, after), 0.0);
            }
            NDArray input = padded != null ? padded : nd(x);
            Shape strides = new Shape(toLongs(stride));
            Shape padding = new Shape(symmetricPadding);
            Shape dilation = new Shape(ones(spatial));
            NDArray w = nd(weight);
            NDArray b = bias == null ? null : nd(bias);
            try {
                NDArray y = framesAsBatch(input, w, strides, padding)
                        ? temporalTapConv(input, w, b, strides, padding, groups)
                        : (switch (spatial) {
                            case 1 -> Conv1d.conv1d(input, w, b, strides, padding, dilation, groups);
                            case 2 -> Conv2d.conv2d(input, w, b, strides, padding, dilation, groups);
                            default -> Conv3d.conv3d(input, w, b, strides, padding, dilation, groups);
                        }).singletonOrThrow();
                if (!trimmed) {
                    return y;
                }
                NDIndex keep = new NDIndex().addAllDim(2);
                for (int i = 0; i < spatial; i++) {
                    long extent = y.getShape().get(2 + i);
                    keep.addSliceDim(Math.max(0, padEnd[i] - padBegin[i]),
                            extent - Math.max(0, padBegin[i] - padEnd[i]));
                }
                return y.get(keep);
            } finally {
                if (padded != null) {
                    padded.close();
                }
            }
        }, x, weight, bias), x, weight, bias);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        long queries = q.dim(-2);
        long keys = k.dim(-2);
        long batchHeads = Math.max(leadingCount(q), leadingCount(k));
        long bytesPerQuery = Math.max(1, batchHeads * keys * Float.BYTES);
        long chunk = Math.max(1, attentionChunkBytes / bytesPerQuery);
        return reduced(op("attention", () -> attention(nd(q), nd(k), nd(v), bias == null ? null : nd(bias),
                (float) scale, chunk), q, k, v, bias), q, k, v, bias);
    }

    /**
     * {@code softmax(q·kᵀ·scale + bias)·v}, {@code chunk} queries at a time so that one score matrix stays within
     * the budget; the chunk's intermediates are freed before the next one starts.
     */
    private NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, float scale, long chunk) {
        long queries = q.getShape().get(q.getShape().dimension() - 2);
        try (NDManager temp = scope.newSubManager()) {
            NDArray scaledQ = keep(q.mul(scale), temp);
            int rank = k.getShape().dimension();
            NDArray keysT = keep(k.swapAxes(rank - 1, rank - 2), temp);
            if (chunk >= queries) {
                return attentionBlock(scaledQ, keysT, v, bias, temp);
            }
            NDList parts = new NDList();
            for (long start = 0; start < queries; start += chunk) {
                long end = Math.min(queries, start + chunk);
                try (NDManager step = temp.newSubManager()) {
                    NDArray qChunk = keep(sliceAxis(scaledQ, -2, start, end), step);
                    NDArray biasChunk = bias == null || bias.getShape().dimension() < 2
                            || bias.getShape().get(bias.getShape().dimension() - 2) == 1
                            ? bias : keep(sliceAxis(bias, -2, start, end), step);
                    parts.add(keep(attentionBlock(qChunk, keysT, v, biasChunk, step), temp));
                }
            }
            return keep(NDArrays.concat(parts, q.getShape().dimension() - 2), scope);
        }
    }

    /** One unchunked attention block; the result is attached to the current scope, intermediates to {@code temp}. */
    private NDArray attentionBlock(NDArray scaledQ, NDArray keysT, NDArray v, NDArray bias, NDManager temp) {
        NDArray scores = keep(scaledQ.matMul(keysT), temp);
        if (bias != null) {
            scores.addi(bias); // scores is this block's own intermediate
        }
        NDArray probabilities = keep(scores.softmax(-1), temp);
        return keep(probabilities.matMul(v), scope);
    }

    /**
     * The least a video slice holds, in bytes of its frames, on the CPU: below it a slice's convolutions are too
     * shallow for PyTorch's fast kernels (see {@link #CONV3D_ONEDNN_MIN}) and whole chunks are faster.
     */
    static final long MIN_VIDEO_SLICE_BYTES = 64L << 20;

    /**
     * On the CPU, the fewest frames that hold {@link #MIN_VIDEO_SLICE_BYTES}: whole chunks of the VAE decoder at
     * 256x256 with dim 16 (4 MiB frames; one-frame slices took 5.8–6.4 s per 17 frames against 3.5–4.9 s), one frame
     * at 480x832 with dim 96 (146 MiB frames; measured in one hour: peak 7659 MiB against 10707 MiB for whole chunks,
     * at 85.2 s against 75.1 s). Whole chunks on a GPU (not measured).
     */
    @Override
    public int videoSliceFrames(long frameBytes) {
        if (callManager.getDevice().isGpu() || frameBytes <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (MIN_VIDEO_SLICE_BYTES + frameBytes - 1) / frameBytes);
    }

    // ---------------------------------------------------------------- layout

    @Override
    public Tensor reshape(Tensor x, long... shape) {
        return op("reshape to " + Arrays.toString(shape), () -> nd(x).reshape(shape), x);
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        return op("permute " + Arrays.toString(axes), () -> nd(x).transpose(axes), x);
    }

    /**
     * PyTorch's CPU conv3d takes oneDNN only when N·C·D·H of the input exceeds this (or the batch is above 1);
     * below it, its im2col kernel, which copies the input once per kernel tap and ran 3–5× slower per multiply-add
     * on the VAE's 64×64 stage (ATen {@code ConvParams::use_mkldnn}, "for some case, native is faster").
     */
    private static final long CONV3D_ONEDNN_MIN = 20480;

    /**
     * Whether a 3-D conv runs as 2-D convs over frames as the batch ({@link #temporalTapConv}): on the CPU, batch 1,
     * no time stride or time padding, and either per frame (kernel depth 1, with a spatial kernel) or a shallow
     * input that conv3d would give to its im2col kernel.
     */
    private static boolean framesAsBatch(NDArray input, NDArray w, Shape strides, Shape padding) {
        Shape in = input.getShape();
        Shape k = w.getShape();
        if (in.dimension() != 5 || input.getDevice().isGpu() || in.get(0) != 1 || strides.get(0) != 1
                || padding.get(0) != 0) {
            return false;
        }
        boolean perFrame = k.get(2) == 1 && k.get(3) * k.get(4) > 1;
        boolean shallow = in.get(1) * in.get(2) * in.get(3) <= CONV3D_ONEDNN_MIN;
        return perFrame || shallow;
    }

    /**
     * A 3-D conv of a batch-1 input {@code [1, C, D, H, W]} as one 2-D conv per temporal tap {@code k} over the
     * frames {@code k .. k+T−1} (a batch of T, a view of one frames-first copy of the input), summed:
     * {@code y[t] = Σ_k W[:, :, k] ⋆ x[t+k]}. The same products as conv3d, summed in another order. Returned as
     * {@code [1, O, T, H', W']}.
     */
    private static NDArray temporalTapConv(NDArray input, NDArray w, NDArray b, Shape strides, Shape padding,
            int groups) {
        Shape in = input.getShape();
        Shape k = w.getShape();
        long taps = k.get(2);
        long frames = in.get(2) - taps + 1;
        Shape stride2d = new Shape(strides.get(1), strides.get(2));
        Shape padding2d = new Shape(padding.get(1), padding.get(2));
        NDArray sum = null;
        try (NDArray framesFirst = input.transpose(0, 2, 1, 3, 4).reshape(in.get(2), in.get(1), in.get(3),
                in.get(4))) {
            for (long tap = 0; tap < taps; tap++) {
                try (NDArray kernel = w.get(new NDIndex(":, :, {}", tap)).duplicate();
                        NDArray window = framesFirst.get(new NDIndex("{}:{}", tap, tap + frames))) {
                    NDArray y = Conv2d.conv2d(window, kernel, tap == 0 ? b : null, stride2d, padding2d,
                            new Shape(1, 1), groups).singletonOrThrow();
                    if (sum == null) {
                        sum = y;
                    } else {
                        sum.addi(y);
                        y.close();
                    }
                }
            }
            Shape o = sum.getShape();
            return sum.reshape(1, frames, o.get(1), o.get(2), o.get(3)).transpose(0, 2, 1, 3, 4);
        } finally {
            if (sum != null) {
                sum.close();
            }
        }
    }

    private static boolean unitStrideWhereAsymmetric(int[] stride, int[] padBegin, int[] padEnd) {
        for (int i = 0; i < stride.length; i++) {
            if (padBegin[i] != padEnd[i] && stride[i] != 1) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Tensor slice(Tensor x, int axis, long start, long end) {
        return op("slice(axis " + axis + ", " + start + ".." + end + ")", () -> {
            long size = x.dim(axis);
            if (start < 0 || end > size || start > end) {
                throw new IllegalArgumentException("range " + start + ".." + end + " outside 0.." + size);
            }
            return sliceAxis(nd(x), axis(x, axis), start, end);
        }, x);
    }

    @Override
    public Tensor concat(int axis, List<Tensor> parts) {
        Tensor[] operands = parts.toArray(new Tensor[0]);
        return op("concat(axis " + axis + ")", () -> {
            NDList arrays = new NDList(parts.size());
            parts.forEach(p -> arrays.add(nd(p)));
            NDArray joined = NDArrays.concat(arrays, axis(parts.get(0), axis));
            ownStorage.add(joined);
            return joined;
        }, operands);
    }

    @Override
    public Tensor pad(Tensor x, long[] before, long[] after, double value) {
        return op("pad " + Arrays.toString(before) + "/" + Arrays.toString(after), () -> {
            if (before.length != x.rank() || after.length != x.rank()) {
                throw new IllegalArgumentException("padding arrays must have the rank of the input");
            }
            return nd(x).pad(torchPadding(before, after), value);
        }, x);
    }

    @Override
    public Tensor broadcastTo(Tensor x, long... shape) {
        return op("broadcastTo " + Arrays.toString(shape), () -> nd(x).broadcast(shape), x);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor scoped(Supplier<Tensor> body) {
        return scopedInto(scope, body);
    }

    /** Closes {@code t}'s array when this call created it (its manager is the call's or a scope inside it). */
    @Override
    public void release(Tensor t) {
        NDArray array = nd(t);
        for (NDManager m = array.getManager(); m != null; m = m.getParentManager()) {
            if (m == callManager) {
                array.close();
                return;
            }
            if (m == m.getParentManager()) {
                return;
            }
        }
    }

    /**
     * Each step's result is kept in a manager of its own, closed as soon as the next step has returned; a step
     * that hands its input back unchanged passes it on to the next manager instead.
     */
    @Override
    public Tensor chain(Tensor initial, int count, ChainStep step) {
        return chain(initial, java.util.Collections.nCopies(count, (String) null), step);
    }

    /** The chain of {@link Ops#chain(Tensor, List, ChainStep)}; streamed groups are uploaded and freed per step. */
    @Override
    public Tensor chain(Tensor initial, List<String> stepGroups, ChainStep step) {
        int count = stepGroups.size();
        Tensor x = initial;
        NDManager carrier = null;
        try {
            for (int i = 0; i < count; i++) {
                Tensor input = x;
                int index = i;
                NDManager next = scope.newSubManager();
                String group = stepGroups.get(i);
                try {
                    parameters.enterStep(group, i + 1 < count ? stepGroups.get(i + 1) : null);
                    x = scopedInto(next, () -> step.apply(index, input));
                } catch (RuntimeException | Error e) {
                    next.close();
                    throw e;
                } finally {
                    parameters.exitStep(group);
                }
                NDArray array = nd(x);
                if (carrier != null && array.getManager() == carrier) {
                    array.attach(next);
                }
                if (carrier != null) {
                    carrier.close();
                }
                carrier = next;
            }
            if (carrier != null && nd(x).getManager() == carrier) {
                nd(x).attach(scope);
            }
            return x;
        } finally {
            if (carrier != null) {
                carrier.close();
            }
        }
    }

    /** Runs {@code body} in a child manager and moves its result, if the body created it, to {@code target}. */
    private Tensor scopedInto(NDManager target, Supplier<Tensor> body) {
        NDManager parent = scope;
        NDManager child = parent.newSubManager();
        scope = child;
        try {
            Tensor result = body.get();
            NDArray array = nd(result);
            if (array.getManager() == child) {
                array.attach(target);
            }
            return result;
        } finally {
            scope = parent;
            child.close();
        }
    }

    /**
     * {@link #scoped} for several results. Results after the first (state handed onward, such as the VAE's causal
     * cache frames) are usually slices of intermediates; they are copied so that the views do not keep the whole
     * intermediate's storage alive after the scope closes. A concatenation owns exactly its storage and is kept as it
     * is (the cache of a causal conv over fewer frames than it carries is one: history frames joined to the input).
     */
    @Override
    public List<Tensor> scopedAll(Supplier<List<Tensor>> body) {
        NDManager parent = scope;
        NDManager child = parent.newSubManager();
        scope = child;
        try {
            List<Tensor> results = body.get();
            List<Tensor> kept = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                Tensor result = results.get(i);
                NDArray array = nd(result);
                if (array.getManager() != child) {
                    kept.add(result);
                } else if (i == 0 || ownStorage.contains(array)) {
                    array.attach(parent);
                    kept.add(result);
                } else {
                    NDArray copy = array.duplicate();
                    copy.attach(parent);
                    kept.add(new DjlTensor(copy));
                }
            }
            return kept;
        } finally {
            scope = parent;
            child.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Runs one engine call: a failure is rethrown naming the op and its operand shapes, and the result is
     * attached to the current scope (unless the call handed back one of its operands unchanged).
     */
    private Tensor op(String name, Supplier<NDArray> call, Tensor... operands) {
        NDArray result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            String shapes = Arrays.stream(operands).map(t -> t == null ? "null" : Shapes.toString(t.shape()))
                    .collect(Collectors.joining(", "));
            throw new DjlOpException(name + " failed for operand shapes " + shapes + ": " + e.getMessage(), e);
        }
        for (Tensor operand : operands) {
            if (operand != null && nd(operand) == result) {
                return operand;
            }
        }
        return new DjlTensor(own(result));
    }

    /** Moves {@code array} into the current scope. */
    private NDArray own(NDArray array) {
        return keep(array, scope);
    }

    private static NDArray keep(NDArray array, NDManager manager) {
        if (array.getManager() != manager) {
            array.attach(manager);
        }
        return array;
    }

    /** The NDArray behind a tensor of this backend. */
    static NDArray array(Tensor t) {
        return nd(t);
    }

    private static NDArray nd(Tensor t) {
        if (!(t instanceof DjlTensor djl)) {
            throw new IllegalArgumentException("not a tensor of the DJL backend: " + t);
        }
        return djl.array();
    }

    private static int axis(Tensor x, int axis) {
        int rank = x.rank();
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + Shapes.toString(x.shape()));
        }
        return a;
    }

    private static NDArray sliceAxis(NDArray x, int axis, long start, long end) {
        int rank = x.getShape().dimension();
        int a = axis < 0 ? axis + rank : axis;
        return x.get(new NDIndex().addAllDim(a).addSliceDim(start, end));
    }

    /** PyTorch's {@code constant_pad_nd} order: last axis first, (before, after) per axis. */
    private static Shape torchPadding(long[] before, long[] after) {
        long[] pad = new long[2 * before.length];
        for (int i = 0; i < before.length; i++) {
            int axis = before.length - 1 - i;
            pad[2 * i] = before[axis];
            pad[2 * i + 1] = after[axis];
        }
        return new Shape(pad);
    }

    private static long leadingCount(Tensor t) {
        long n = 1;
        for (int i = 0; i < t.rank() - 2; i++) {
            n *= t.shape()[i];
        }
        return n;
    }

    private static long[] toLongs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }
}
