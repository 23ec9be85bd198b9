package io.github.wananimate.nn;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongToIntFunction;

/**
 * {@link Ops} executed on {@link RefTensor}s: the plain-Java, double-precision reference executor (no native code).
 * Tests in this module run networks through it directly, or through {@link RefBackend} for code that wants a
 * {@link io.github.wananimate.spi.Backend}. Results are exact up to double rounding, i.e. more precise than any
 * float32 backend.
 */
public final class RefOps implements Ops {

    /** A handle the networks see: a reference tensor with its static shape. */
    public record Handle(RefTensor value) implements Tensor {
        @Override
        public long[] shape() {
            return value.shape();
        }
    }

    private final Function<String, RefTensor> parameters;
    private final LongToIntFunction videoSliceFrames;

    /** Parameters read (and converted to double) on every {@link #parameter} call. */
    public RefOps(ParameterSource parameters) {
        this(key -> RefTensor.of(parameters.get(key)));
    }

    public RefOps(Function<String, RefTensor> parameters) {
        this(parameters, 0);
    }

    /** With the {@link #videoSliceFrames(long)} hint set (0: whole chunks, as by default). */
    public RefOps(Function<String, RefTensor> parameters, int videoSliceFrames) {
        this(parameters, frameBytes -> videoSliceFrames);
    }

    /** With the {@link #videoSliceFrames(long)} hint answered by a function of the frame's bytes. */
    public RefOps(Function<String, RefTensor> parameters, LongToIntFunction videoSliceFrames) {
        this.parameters = parameters;
        this.videoSliceFrames = videoSliceFrames;
    }

    @Override
    public int videoSliceFrames(long frameBytes) {
        return videoSliceFrames.applyAsInt(frameBytes);
    }

    /** Wraps a host tensor as an input handle. */
    public static Tensor of(HostTensor value) {
        return new Handle(RefTensor.of(value));
    }

    /** The reference value behind a handle this executor produced. */
    public static RefTensor value(Tensor t) {
        return ((Handle) t).value();
    }

    /** A handle's values rounded to float32. */
    public static HostTensor toHost(Tensor t) {
        return value(t).toHost();
    }

    /** Runs {@code network.forward} on host inputs, with the {@link RequiredInputs} view the executors give. */
    public Map<String, HostTensor> run(Network network, Map<String, HostTensor> inputs) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        inputs.forEach((name, value) -> in.put(name, of(value)));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        network.forward(this, RequiredInputs.of(network.name(), in)).forEach((name, value) -> out.put(name,
                toHost(value)));
        return out;
    }

    private static RefTensor v(Tensor t) {
        return value(t);
    }

    private static RefTensor orNull(Tensor t) {
        return t == null ? null : value(t);
    }

    private static Tensor h(RefTensor t) {
        return new Handle(t);
    }

    /** Rounds each value to {@code dtype} (through float32) and keeps double storage: an emulation, dtype F32. */
    @Override
    public Tensor cast(Tensor x, io.github.wananimate.tensor.DType dtype) {
        return switch (dtype) {
            case F32 -> h(v(x).map(d -> (float) d));
            case BF16 -> h(v(x).map(d -> io.github.wananimate.tensor.DTypeConversions.bf16ToFloat(
                    io.github.wananimate.tensor.DTypeConversions.floatToBf16((float) d))));
            case F16 -> h(v(x).map(d -> io.github.wananimate.tensor.DTypeConversions.f16ToFloat(
                    io.github.wananimate.tensor.DTypeConversions.floatToF16((float) d))));
            default -> throw new IllegalArgumentException("cast to " + dtype);
        };
    }

    @Override
    public Tensor parameter(String key) {
        return h(parameters.apply(key));
    }

    @Override
    public Tensor constant(HostTensor value) {
        return h(RefTensor.of(value));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return h(v(a).add(v(b)));
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return h(v(a).sub(v(b)));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return h(v(a).mul(v(b)));
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return h(v(a).div(v(b)));
    }

    @Override
    public Tensor add(Tensor a, double scalar) {
        return h(v(a).map(x -> x + scalar));
    }

    @Override
    public Tensor mul(Tensor a, double scalar) {
        return h(v(a).map(x -> x * scalar));
    }

    @Override
    public Tensor maximum(Tensor a, double floor) {
        return h(v(a).map(x -> Math.max(x, floor)));
    }

    @Override
    public Tensor clamp(Tensor a, double min, double max) {
        return h(v(a).map(x -> Math.min(Math.max(x, min), max)));
    }

    @Override
    public Tensor sqrt(Tensor a) {
        return h(v(a).map(Math::sqrt));
    }

    @Override
    public Tensor tanh(Tensor a) {
        return h(v(a).map(Math::tanh));
    }

    @Override
    public Tensor sigmoid(Tensor a) {
        return h(v(a).map(x -> 1.0 / (1.0 + Math.exp(-x))));
    }

    @Override
    public Tensor erf(Tensor a) {
        return h(v(a).map(RefTensor::erf));
    }

    @Override
    public Tensor leakyRelu(Tensor a, double slope) {
        return h(v(a).map(x -> x < 0 ? slope * x : x));
    }

    @Override
    public Tensor mean(Tensor x, int axis, boolean keepDims) {
        return h(v(x).mean(axis, keepDims));
    }

    @Override
    public Tensor sum(Tensor x, int axis, boolean keepDims) {
        return h(v(x).sum(axis, keepDims));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return h(v(x).softmax(axis));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return h(v(x).layerNorm(orNull(weight), orNull(bias), eps));
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return h(v(a).matmul(v(b)));
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return h(v(x).linear(v(weight), orNull(bias)));
    }

    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups) {
        return h(v(x).conv(v(weight), orNull(bias), stride, padBegin, padEnd, groups));
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        return h(RefTensor.attention(v(q), v(k), v(v), orNull(bias), scale));
    }

    @Override
    public Tensor reshape(Tensor x, long... shape) {
        return h(v(x).reshape(shape));
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        return h(v(x).permute(axes));
    }

    @Override
    public Tensor slice(Tensor x, int axis, long start, long end) {
        return h(v(x).slice(axis, start, end));
    }

    @Override
    public Tensor concat(int axis, List<Tensor> parts) {
        List<RefTensor> values = new ArrayList<>(parts.size());
        parts.forEach(p -> values.add(v(p)));
        return h(RefTensor.concat(axis, values));
    }

    @Override
    public Tensor pad(Tensor x, long[] before, long[] after, double value) {
        return h(v(x).pad(before, after, value));
    }

    @Override
    public Tensor broadcastTo(Tensor x, long... shape) {
        return h(v(x).broadcastTo(shape));
    }
}
