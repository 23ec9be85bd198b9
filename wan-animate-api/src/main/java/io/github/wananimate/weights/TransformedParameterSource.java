package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A view that derives some tensors from others, for repacks whose layout differs by more than a name: rows
 * concatenated (diffusers' split face-adapter {@code to_k/to_v}, HF CLIP's {@code q/k/v_proj}), a reshape (squeezed
 * biases, embeddings without their leading 1s) or a 2-D transpose (HF CLIP's {@code visual_projection}). The inputs
 * of a derivation disappear from {@link #keys()}; the derived key takes the place of its first input. Values are
 * computed on {@link #get}, in the stored dtype.
 */
public final class TransformedParameterSource implements ParameterSource {

    private record Derivation(Kind kind, List<String> inputs, long[] shape, DType dtype) {
    }

    private enum Kind { CONCAT_ROWS, RESHAPE, TRANSPOSE }

    private final ParameterSource base;
    private final Map<String, Derivation> derived;
    private final Set<String> keys;

    private TransformedParameterSource(ParameterSource base, Map<String, Derivation> derived) {
        this.base = base;
        this.derived = derived;
        Map<String, String> replacedBy = new LinkedHashMap<>();
        derived.forEach((target, d) -> d.inputs().forEach(in -> replacedBy.put(in, target)));
        Set<String> out = new LinkedHashSet<>();
        for (String key : base.keys()) {
            String target = replacedBy.get(key);
            out.add(target == null ? key : target);
        }
        this.keys = Collections.unmodifiableSet(out);
    }

    /**
     * Starts a view over a source.
     *
     * @param base the source
     * @return the builder
     */
    public static Builder builder(ParameterSource base) {
        return new Builder(base);
    }

    /** Collects derivations; each checks its inputs' shapes and dtypes when added. */
    public static final class Builder {
        private final ParameterSource base;
        private final Map<String, Derivation> derived = new LinkedHashMap<>();
        private final Set<String> used = new HashSet<>();

        private Builder(ParameterSource base) {
            this.base = base;
        }

        /**
         * {@code target} = the inputs concatenated along their first dimension, in order.
         *
         * @param target the name of the result
         * @param inputs the inputs by name
         * @return the concat rows
         */
        public Builder concatRows(String target, List<String> inputs) {
            DType dtype = base.dtype(inputs.get(0));
            long[] first = base.shape(inputs.get(0));
            long rows = 0;
            for (String in : inputs) {
                long[] s = base.shape(in);
                if (base.dtype(in) != dtype || s.length != first.length || s.length == 0
                        || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, s.length))) {
                    throw new WeightException(base.description() + ": cannot concatenate " + inputs + " into '" + target
                            + "': '" + in + "' is " + base.dtype(in) + " " + Shapes.toString(s) + ", '" + inputs.get(0)
                            + "' is " + dtype + " " + Shapes.toString(first));
                }
                rows += s[0];
            }
            long[] shape = first.clone();
            shape[0] = rows;
            return add(target, new Derivation(Kind.CONCAT_ROWS, List.copyOf(inputs), shape, dtype));
        }

        /**
         * {@code target} = {@code input} under another shape with the same element count.
         *
         * @param target the name of the result
         * @param input the input
         * @param shape the shape
         * @return the reshape
         */
        public Builder reshape(String target, String input, long... shape) {
            if (Shapes.elementCount(shape) != Shapes.elementCount(base.shape(input))) {
                throw new WeightException(base.description() + ": cannot reshape '" + input + "' of shape "
                        + Shapes.toString(base.shape(input)) + " to " + Shapes.toString(shape) + " for '" + target + "'");
            }
            return add(target, new Derivation(Kind.RESHAPE, List.of(input), shape.clone(), base.dtype(input)));
        }

        /**
         * {@code target} = the transpose of the 2-D {@code input}.
         *
         * @param target the name of the result
         * @param input the input
         * @return the transpose
         */
        public Builder transpose(String target, String input) {
            long[] s = base.shape(input);
            if (s.length != 2) {
                throw new WeightException(base.description() + ": cannot transpose '" + input + "' of shape "
                        + Shapes.toString(s) + " (not 2-D)");
            }
            return add(target, new Derivation(Kind.TRANSPOSE, List.of(input), new long[] {s[1], s[0]},
                    base.dtype(input)));
        }

        private Builder add(String target, Derivation d) {
            for (String in : d.inputs()) {
                if (!used.add(in)) {
                    throw new WeightException(base.description() + ": '" + in + "' feeds two derived tensors");
                }
            }
            if (derived.put(target, d) != null || base.contains(target) && !d.inputs().contains(target)) {
                throw new WeightException(base.description() + ": derived key '" + target + "' already exists");
            }
            return this;
        }

        /** {@return the view} */
        public ParameterSource build() {
            return derived.isEmpty() ? base : new TransformedParameterSource(base,
                    Collections.unmodifiableMap(new LinkedHashMap<>(derived)));
        }
    }

    @Override
    public Set<String> keys() {
        return keys;
    }

    @Override
    public long[] shape(String key) {
        Derivation d = derived.get(key);
        return d != null ? d.shape().clone() : base.shape(checked(key));
    }

    @Override
    public DType dtype(String key) {
        Derivation d = derived.get(key);
        return d != null ? d.dtype() : base.dtype(checked(key));
    }

    @Override
    public HostTensor get(String key) {
        Derivation d = derived.get(key);
        if (d == null) {
            return base.get(checked(key));
        }
        return switch (d.kind()) {
            case RESHAPE -> base.get(d.inputs().get(0)).reshape(d.shape());
            case CONCAT_ROWS -> concat(d);
            case TRANSPOSE -> transpose(d);
        };
    }

    @Override
    public Optional<Float8Tensor> float8(String key) {
        return derived.containsKey(key) ? Optional.empty() : base.float8(checked(key));
    }

    private String checked(String key) {
        if (!keys.contains(key)) {
            throw new WeightException(description() + ": no tensor '" + key + "'");
        }
        return key;
    }

    private HostTensor concat(Derivation d) {
        long bytes = Shapes.elementCount(d.shape()) * d.dtype().byteSize();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        for (String in : d.inputs()) {
            out.put(base.get(in).data()); // row-major: stacking along dim 0 is appending the bytes
        }
        return HostTensor.of(d.dtype(), d.shape(), out.flip());
    }

    private HostTensor transpose(Derivation d) {
        HostTensor in = base.get(d.inputs().get(0));
        int rows = Math.toIntExact(in.shape()[0]);
        int cols = Math.toIntExact(in.shape()[1]);
        int es = d.dtype().byteSize();
        ByteBuffer src = in.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact((long) rows * cols * es)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] element = new byte[es];
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                src.get((r * cols + c) * es, element); // no overflow: the whole tensor fits in one buffer
                out.put(element);
            }
        }
        return HostTensor.of(d.dtype(), d.shape(), out.flip());
    }

    @Override
    public String description() {
        return base.description();
    }

    @Override
    public void close() {
        base.close();
    }

    /** {@return the derived keys, with their inputs (for inspection)} */
    public Map<String, List<String>> derivations() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        derived.forEach((k, d) -> out.put(k, new ArrayList<>(d.inputs())));
        return out;
    }
}
