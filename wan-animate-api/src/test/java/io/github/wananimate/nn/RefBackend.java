package io.github.wananimate.nn;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java executor of {@link Ops} on {@link RefTensor} (double precision, no native code): lets the api module
 * test networks end to end on tiny shapes without a backend module. Results come back as float32 host tensors.
 */
public final class RefBackend implements Backend {

    @Override
    public String name() {
        return "ref";
    }

    @Override
    public String device() {
        return "java";
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        Map<String, RefTensor> cache = new HashMap<>();
        return new LoadedNetwork() {
            @Override
            public String name() {
                return network.name();
            }

            @Override
            public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                RefOps ops = new RefOps(key -> cache.computeIfAbsent(key, k -> RefTensor.of(prepared.get(k))));
                Map<String, Tensor> in = new LinkedHashMap<>();
                inputs.forEach((name, value) -> in.put(name, new Handle(RefTensor.of(value))));
                Map<String, HostTensor> out = new LinkedHashMap<>();
                network.forward(ops, in).forEach((name, value) -> out.put(name, toHost(((Handle) value).value)));
                return out;
            }

            @Override
            public void close() {
                cache.clear();
            }
        };
    }

    @Override
    public void close() {
    }

    private static HostTensor toHost(RefTensor t) {
        double[] d = t.values();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return HostTensor.ofFloats(t.shape(), f);
    }

    private record Handle(RefTensor value) implements Tensor {
        @Override
        public long[] shape() {
            return value.shape();
        }
    }

    private static RefTensor v(Tensor t) {
        return ((Handle) t).value;
    }

    private static Tensor h(RefTensor t) {
        return new Handle(t);
    }

    private static final class RefOps implements Ops {

        private final java.util.function.Function<String, RefTensor> parameters;

        RefOps(java.util.function.Function<String, RefTensor> parameters) {
            this.parameters = parameters;
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
            return h(v(x).layerNorm(weight == null ? null : v(weight), bias == null ? null : v(bias), eps));
        }

        @Override
        public Tensor matmul(Tensor a, Tensor b) {
            return h(v(a).matmul(v(b)));
        }

        @Override
        public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
            return h(v(x).linear(v(weight), bias == null ? null : v(bias)));
        }

        @Override
        public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd,
                int groups) {
            return h(v(x).conv(v(weight), bias == null ? null : v(bias), stride, padBegin, padEnd, groups));
        }

        @Override
        public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
            return h(RefTensor.attention(v(q), v(k), v(v), bias == null ? null : v(bias), scale));
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
            List<RefTensor> values = new ArrayList<>();
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
}
