package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code nn.Linear}: {@code x · Wᵀ + b} over the last axis, keys {@code <module>.weight} {@code [out, in]} and
 * {@code <module>.bias} {@code [out]}. With a reduced compute dtype the input and weights are rounded to it and the
 * product accumulates in float32 and is rounded to it (autocast); the result is returned as float32.
 */
public final class Linear implements Layer {

    private final Weight weight;
    private final Weight bias;
    private final long out;
    private final long in;
    private final DType compute;
    private final double weightScale;

    private Linear(Weight weight, Weight bias, long out, long in, DType compute, double weightScale) {
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        this.in = in;
        this.compute = compute;
        this.weightScale = weightScale;
    }

    private Linear(String module, long[] weightShape, long out, long in, boolean withBias, DType stored,
            DType compute) {
        Layers.checkFloat(compute, "compute dtype of " + module);
        this.weight = new Weight(module + ".weight", stored, weightShape);
        this.bias = withBias ? new Weight(module + ".bias", stored, out) : null;
        this.out = out;
        this.in = in;
        this.compute = compute;
        this.weightScale = 1.0;
    }

    /** A Linear with bias. */
    public Linear(String module, long out, long in, DType stored, DType compute) {
        this(module, new long[] {out, in}, out, in, true, stored, compute);
    }

    /** A Linear without bias. */
    public static Linear withoutBias(String module, long out, long in, DType stored, DType compute) {
        return new Linear(module, new long[] {out, in}, out, in, false, stored, compute);
    }

    /**
     * A convolution whose kernel equals its stride, applied as a Linear over vectorised patches: the checkpoint
     * holds the conv weight {@code [out, channels, k1..kn]}, read as {@code [out, channels·k1·…·kn]}.
     */
    public static Linear patches(String module, long out, long channels, DType stored, DType compute,
            long... kernel) {
        long[] shape = new long[2 + kernel.length];
        shape[0] = out;
        shape[1] = channels;
        System.arraycopy(kernel, 0, shape, 2, kernel.length);
        long in = channels * Arrays.stream(kernel).reduce(1, (a, b) -> a * b);
        return new Linear(module, shape, out, in, true, stored, compute);
    }

    /** The weight multiplied by {@code scale} (in float32) before use: StyleGAN's equalised learning rate. */
    public Linear withWeightScale(double scale) {
        return new Linear(weight, bias, out, in, compute, scale);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return bias == null ? weight.parameters() : Layers.parameters(List.of(weight, bias));
    }

    /** {@code x [..., in]} (float32) → {@code [..., out]} (float32). */
    public Tensor apply(Ops ops, Tensor x) {
        Tensor w = weight.scaledIn(ops, weightScale, compute);
        if (weight.shape().length != 2) {
            w = ops.reshape(w, out, in);
        }
        Tensor b = bias == null ? null : bias.in(ops, compute);
        return Layers.to(ops, ops.linear(Layers.to(ops, x, compute), w, b), DType.F32);
    }
}
