package io.github.wananimate.nn;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The tensor operations every network is written against. A backend implements this interface once;
 * it knows nothing about Wan. Broadcasting follows NumPy rules; negative axes count from the end.
 *
 * <p>Dtypes. Tensors are float32 except in a reduced-precision run ({@link Precision}): a parameter comes back in
 * its stored dtype ({@link #parameter(ParameterSpec)}), and {@link #cast} converts. {@link #linear},
 * {@link #matmul}, {@link #conv} and {@link #attention} accept operands that all have one dtype (F32, BF16 or F16),
 * accumulate in at least float32 and return that dtype; {@link #reshape}, {@link #permute}, {@link #slice} keep the
 * dtype; every other operation takes and returns float32. Networks never call these with mixed dtypes: the layers of
 * {@code io.github.wananimate.nn.layers} cast at their boundaries.
 *
 * <p>The set is deliberately small: each operation must be expressible both as an eager DJL call and as
 * one or a few ONNX nodes. Composite operations with a default body may be overridden by a backend that
 * has a faster fused kernel, as long as the result is the same up to float32 rounding.
 */
public interface Ops {

    // ---------------------------------------------------------------- sources

    /**
     * A bound weight by its checkpoint key (after the network's {@link Network#prepare} step), as float32. Every
     * network reads its weights through its layers, which call {@link #parameter(ParameterSpec)}; this form is what
     * a backend implements it with and what tests use.
     *
     * @param key the checkpoint key
     * @return the weight
     */
    Tensor parameter(String key);

    /**
     * A bound weight in its stored dtype {@code spec.dtype()}. A backend keeps it in that dtype for the network's
     * lifetime (converting the checkpoint's own dtype once, when bound); the default casts the float32 weight.
     *
     * @param spec key, shape and stored dtype
     * @return the weight
     */
    default Tensor parameter(ParameterSpec spec) {
        Tensor value = parameter(spec.key());
        return spec.dtype() == DType.F32 ? value : cast(value, spec.dtype());
    }

    /**
     * {@code x} converted to {@code dtype} (F32, BF16 or F16; round to nearest even). Returns {@code x} itself when
     * it already has that dtype.
     *
     * @param x the input
     * @param dtype the target dtype
     * @return the converted tensor
     */
    Tensor cast(Tensor x, DType dtype);

    /**
     * A small host-computed constant (RoPE tables, masks, position biases). Converted to float32.
     *
     * @param value the host values
     * @return the result
     */
    Tensor constant(HostTensor value);

    // ---------------------------------------------------------------- element-wise

    /**
     * Element-wise sum, broadcasting as NumPy.
     *
     * @param a the first operand
     * @param b the second operand, broadcast against {@code a}
     * @return {@code a + b}
     */
    Tensor add(Tensor a, Tensor b);

    /**
     * Element-wise difference, broadcasting as NumPy.
     *
     * @param a the first operand
     * @param b the second operand, broadcast against {@code a}
     * @return {@code a − b}
     */
    Tensor sub(Tensor a, Tensor b);

    /**
     * Element-wise product, broadcasting as NumPy.
     *
     * @param a the first operand
     * @param b the second operand, broadcast against {@code a}
     * @return {@code a · b}
     */
    Tensor mul(Tensor a, Tensor b);

    /**
     * Element-wise quotient, broadcasting as NumPy.
     *
     * @param a the first operand
     * @param b the second operand, broadcast against {@code a}
     * @return {@code a / b}
     */
    Tensor div(Tensor a, Tensor b);

    /**
     * Adds a scalar.
     *
     * @param a the tensor
     * @param scalar the value added
     * @return {@code a + scalar}
     */
    Tensor add(Tensor a, double scalar);

    /**
     * Multiplies by a scalar.
     *
     * @param a the tensor
     * @param scalar the factor
     * @return {@code a · scalar}
     */
    Tensor mul(Tensor a, double scalar);

    /**
     * {@code max(a, floor)} element-wise.
     *
     * @param a the tensor
     * @param floor the lower bound
     * @return the result
     */
    Tensor maximum(Tensor a, double floor);

    /**
     * Clamps element-wise.
     *
     * @param a the tensor
     * @param min lower bound
     * @param max upper bound
     * @return {@code min(max(a, min), max)}
     */
    Tensor clamp(Tensor a, double min, double max);

    /**
     * Element-wise square root.
     *
     * @param a the tensor
     * @return the result
     */
    Tensor sqrt(Tensor a);

    /**
     * Element-wise hyperbolic tangent.
     *
     * @param a the tensor
     * @return the result
     */
    Tensor tanh(Tensor a);

    /**
     * Element-wise logistic sigmoid.
     *
     * @param a the tensor
     * @return the result
     */
    Tensor sigmoid(Tensor a);

    /**
     * Element-wise error function.
     *
     * @param a the tensor
     * @return the result
     */
    Tensor erf(Tensor a);

    /**
     * {@code x < 0 ? slope * x : x}.
     *
     * @param a the tensor
     * @param slope the factor below zero
     * @return the result
     */
    Tensor leakyRelu(Tensor a, double slope);

    /**
     * Element-wise square.
     *
     * @param a the tensor
     * @return {@code a · a}
     */
    default Tensor square(Tensor a) {
        return mul(a, a);
    }

    /**
     * SiLU / swish: {@code x · sigmoid(x)}.
     *
     * @param a the tensor
     * @return the result
     */
    default Tensor silu(Tensor a) {
        return mul(a, sigmoid(a));
    }

    /**
     * Exact GELU: {@code 0.5·x·(1 + erf(x/√2))}.
     *
     * @param x the input
     * @return the result
     */
    default Tensor geluErf(Tensor x) {
        return mul(mul(x, add(erf(mul(x, 1.0 / Math.sqrt(2.0))), 1.0)), 0.5);
    }

    /**
     * Tanh GELU: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
     *
     * @param x the input
     * @return the result
     */
    default Tensor geluTanh(Tensor x) {
        Tensor cube = mul(mul(x, x), x);
        Tensor inner = mul(add(x, mul(cube, 0.044715)), Math.sqrt(2.0 / Math.PI));
        return mul(mul(x, add(tanh(inner), 1.0)), 0.5);
    }

    // ---------------------------------------------------------------- reductions and normalisation

    /**
     * Mean over one axis.
     *
     * @param x the input
     * @param axis the axis; negative counts from the end
     * @param keepDims keep the axis with size 1
     * @return the result
     */
    Tensor mean(Tensor x, int axis, boolean keepDims);

    /**
     * Sum over one axis.
     *
     * @param x the input
     * @param axis the axis; negative counts from the end
     * @param keepDims keep the axis with size 1
     * @return the result
     */
    Tensor sum(Tensor x, int axis, boolean keepDims);

    /**
     * Softmax over one axis.
     *
     * @param x the input
     * @param axis the axis; negative counts from the end
     * @return the result
     */
    Tensor softmax(Tensor x, int axis);

    /**
     * LayerNorm over the last axis: {@code (x − mean) / sqrt(var + eps) · weight + bias} with the biased
     * variance. {@code weight} and {@code bias} may be null (no affine part).
     *
     * @param x the input
     * @param weight scale {@code [D]} or null
     * @param bias shift {@code [D]} or null
     * @param eps added to the variance
     * @return the result
     */
    Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps);

    /**
     * {@code x / max(‖x‖₂, eps)} with the L2 norm taken over {@code axis} (PyTorch's {@code F.normalize}).
     *
     * @param x the input
     * @param axis the axis; negative counts from the end
     * @param eps the smallest norm divided by
     * @return the result
     */
    default Tensor l2Normalize(Tensor x, int axis, double eps) {
        return div(x, maximum(sqrt(sum(square(x), axis, true)), eps));
    }

    /**
     * RMSNorm over the last axis: {@code x / sqrt(mean(x²) + eps) · weight}; weight may be null.
     *
     * @param x the input
     * @param weight scale {@code [D]} or null
     * @param eps added to the mean square
     * @return the result
     */
    default Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor normed = div(x, sqrt(add(mean(square(x), -1, true), eps)));
        return weight == null ? normed : mul(normed, weight);
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * Batched matrix product with NumPy semantics over the leading axes.
     *
     * @param a {@code [..., n, k]}
     * @param b {@code [..., k, m]}
     * @return the result
     */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * {@code x · weightᵀ + bias} over the last axis; weight is {@code [out, in]}; bias may be null.
     *
     * @param x {@code [..., in]}
     * @param weight {@code [out, in]}
     * @param bias {@code [out]} or null
     * @return the result
     */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /**
     * N-d cross-correlation as PyTorch's {@code convNd}: x {@code [N, C, s1..sk]}, weight
     * {@code [O, C/groups, k1..kk]}, bias {@code [O]} or null. Padding is explicit per spatial axis and
     * may be asymmetric (zeros).
     *
     * @param x {@code [N, C, s1..sk]}
     * @param weight {@code [O, C/groups, k1..kk]}
     * @param bias {@code [O]} or null
     * @param stride per spatial axis
     * @param padBegin zeros before, per spatial axis
     * @param padEnd zeros after, per spatial axis
     * @param groups channel groups
     * @return {@code [N, O, …]}
     */
    Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups);

    /**
     * Softmax attention {@code softmax(q·kᵀ·scale + bias)·v}. q {@code [B, H, Lq, d]}, k {@code [B, H, Lk, d]},
     * v {@code [B, H, Lk, dv]} → {@code [B, H, Lq, dv]}. {@code bias} (nullable) broadcasts to
     * {@code [B, H, Lq, Lk]}. One operation so that a backend can run it without materialising the whole
     * score matrix (query chunking or a fused kernel).
     *
     * @param q queries {@code [B, H, Lq, d]}
     * @param k keys {@code [B, H, Lk, d]}
     * @param v values {@code [B, H, Lk, dv]}
     * @param bias added to the scores, or null
     * @param scale score factor, usually {@code 1/√d}
     * @return {@code [B, H, Lq, dv]}
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

    // ---------------------------------------------------------------- layout

    /**
     * Reshape in row-major order; at most one entry may be −1.
     *
     * @param x the input
     * @param shape the new shape
     * @return the result
     */
    Tensor reshape(Tensor x, long... shape);

    /**
     * Reorders the axes.
     *
     * @param x the input
     * @param axes the source axis of each result axis
     * @return the result
     */
    Tensor permute(Tensor x, int... axes);

    /**
     * Elements {@code start..end−1} of {@code axis}.
     *
     * @param x the input
     * @param axis the axis; negative counts from the end
     * @param start first index
     * @param end one past the last index
     * @return the result
     */
    Tensor slice(Tensor x, int axis, long start, long end);

    /**
     * Concatenates along one axis.
     *
     * @param axis the axis; negative counts from the end
     * @param parts tensors equal in every other axis
     * @return the result
     */
    Tensor concat(int axis, List<Tensor> parts);

    /**
     * Concatenates along one axis.
     *
     * @param axis the axis; negative counts from the end
     * @param parts tensors equal in every other axis
     * @return the result
     */
    default Tensor concat(int axis, Tensor... parts) {
        return concat(axis, List.of(parts));
    }

    /**
     * Constant padding: {@code before[i]} / {@code after[i]} elements on axis i (arrays have the rank of x).
     *
     * @param x the input
     * @param before elements added before, per axis
     * @param after elements added after, per axis
     * @param value the fill value
     * @return the result
     */
    Tensor pad(Tensor x, long[] before, long[] after, double value);

    /**
     * Broadcast to a larger shape (NumPy rules; the result is materialised or a view, as the backend likes).
     *
     * @param x the input
     * @param shape the target shape
     * @return the result
     */
    Tensor broadcastTo(Tensor x, long... shape);

    /**
     * Zeros of {@code like}'s shape. A graph backend computes them from {@code like} when the graph runs rather than
     * holding a constant of that size (ONNX Runtime folds constant-only subgraphs into full-size initializers when
     * it builds a session); the default broadcasts a constant zero.
     *
     * @param like the tensor whose shape the zeros take (its values are not used)
     * @return zeros shaped like {@code like}
     */
    default Tensor zerosLike(Tensor like) {
        long[] ones = new long[like.rank()];
        Arrays.fill(ones, 1);
        return broadcastTo(constant(HostTensor.zeros(ones)), like.shape());
    }

    // ---------------------------------------------------------------- memory

    /** One step of {@link #chain}: maps the running tensor to the next one. */
    @FunctionalInterface
    interface ChainStep {
        /**
         * Runs one step.
         *
         * @param index the step, 0-based
         * @param x the running tensor
         * @return the next running tensor
         */
        Tensor apply(int index, Tensor x);
    }

    /**
     * Threads one tensor through {@code count} steps, {@code x = step(i, x)}, each in its own {@link #scoped}
     * region: a stack of transformer blocks. An eager backend also frees each step's result once the next step
     * has produced its own, so the stack holds about two activations at a time instead of one per step (a plain
     * loop of {@code scoped} calls keeps every step's result alive until the enclosing scope ends). Only the
     * returned tensor may outlive a step; other tensors a step reads (captured from outside) are left alone.
     *
     * @param initial the first input
     * @param count the number of steps
     * @param step one step
     * @return the last step's result
     */
    default Tensor chain(Tensor initial, int count, ChainStep step) {
        Tensor x = initial;
        for (int i = 0; i < count; i++) {
            Tensor input = x;
            int index = i;
            x = scoped(() -> step.apply(index, input));
        }
        return x;
    }

    /**
     * {@link #chain(Tensor, int, ChainStep)} whose step {@code i} reads the parameters of the
     * {@link ParameterGroup} named {@code stepGroups.get(i)} (null: none of a group). A backend that streams some
     * groups uploads a streamed group before its step (the next one while the current step computes, where it
     * can) and frees it after; resident groups behave as in the plain chain. The default ignores the names.
     *
     * @param initial the first input
     * @param stepGroups the group each step reads, or null
     * @param step one step
     * @return the last step's result
     */
    default Tensor chain(Tensor initial, List<String> stepGroups, ChainStep step) {
        return chain(initial, stepGroups.size(), step);
    }

    /**
     * How many frames a network should put through layers that give the same result on consecutive slices of a
     * video as on the whole of it (causal convolutions continuing their cache, per-frame layers); 0 for the whole
     * chunk at once. A performance hint only, with the default 0. Slices bound the activations alive at a time to
     * one slice's; a graph backend's memory plan may prefer them at any size (ONNX Runtime on the CPU, VAE decoder:
     * see the README), while an eager backend's kernels may slow down on shallow inputs (PyTorch's CPU conv3d leaves
     * oneDNN for inputs with few frames), so that slices only pay off there when frames are large.
     *
     * @param frameBytes the bytes of one frame of what the sliced layers produce: the measure a backend judges a
     *     slice's activations by
     * @return frames per slice, or 0
     */
    default int videoSliceFrames(long frameBytes) {
        return 0;
    }

    /**
     * Declares that the network will not read {@code t} again, so an eager backend may free it now instead of when
     * the enclosing {@link #scoped} region ends (as PyTorch frees a tensor when its last reference goes). A hint:
     * the default does nothing, and a backend leaves alone what the call did not compute (weights, inputs the caller
     * owns). Networks use it where a long sequence of steps runs in one scope and each step's state carries on
     * alongside the result (the VAE decoder's stages, whose causal caches survive the step).
     *
     * @param t a tensor this call computed and no longer needs
     */
    default void release(Tensor t) {
    }

    /**
     * Runs {@code body} and frees every intermediate it created except the tensor it returns. A recording
     * backend simply runs the body. Networks wrap each transformer block, VAE stage, etc. in it so that
     * eager execution keeps memory bounded.
     *
     * @param body the computation
     * @return what the body returned
     */
    default Tensor scoped(Supplier<Tensor> body) {
        return body.get();
    }

    /**
     * {@link #scoped(Supplier)} for a body with several results: every tensor in the returned list survives,
     * every other intermediate may be freed. Used where a block also hands state onward (the VAE's causal cache).
     * Backends that override {@link #scoped(Supplier)} should override this too; the returned list holds the
     * handles to use afterwards, in the same order.
     *
     * @param body the computation
     * @return the surviving tensors, in order
     */
    default List<Tensor> scopedAll(Supplier<List<Tensor>> body) {
        return body.get();
    }
}
