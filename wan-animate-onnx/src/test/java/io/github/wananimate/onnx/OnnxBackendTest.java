package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.wananimate.nn.LambdaNetwork;
import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RefTensor;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class OnnxBackendTest {

    private final Random random = new Random(20260425);

    @Test
    void providerIsRegisteredAndAvailable() {
        BackendProvider provider = Backends.byName("onnx");
        assertThat(provider).isInstanceOf(OnnxBackendProvider.class);
        assertThat(provider.priority("cpu")).isEqualTo(50);
        assertThat(provider.priority("cuda")).isEqualTo(50);
        assertThat(provider.loadFailure()).isEmpty();
        assertThat(OnnxBackendProvider.explain(new UnsatisfiedLinkError("no onnxruntime in java.library.path"))
                .getMessage()).contains("no onnxruntime in java.library.path").contains("-Donnxruntime.cpu");
        assertThat(provider.isAvailable()).isTrue();
        try (var backend = provider.open(BackendOptions.cpu())) {
            assertThat(backend.name()).isEqualTo("onnx");
            assertThat(backend.device()).isEqualTo("cpu");
            // the CPU provider binds reduced-precision weights as float32 holding the rounded values
            for (DType stored : List.of(DType.F32, DType.BF16, DType.F16)) {
                assertThat(backend.heldBytesPerElement(stored)).isEqualTo(Float.BYTES);
            }
        }
    }

    @Test
    void unknownDeviceIsRejected() {
        assertThatThrownBy(() -> new OnnxBackend(new BackendOptions("tpu:0", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tpu:0");
        assertThatThrownBy(() -> new OnnxBackend(new BackendOptions("cuda:x", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cuda:x");
    }

    @Test
    void cudaWithoutGpuFailsClearly() {
        Assumptions.assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "an NVIDIA device is present");
        assertThatThrownBy(() -> new OnnxBackend(new BackendOptions("cuda:0", 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cuda:0")
                .hasMessageContaining("CUDA");
        // gpu is the same device as for DJL: cuda:0, refused for want of CUDA, not as an unknown name
        assertThatThrownBy(() -> new OnnxBackend(new BackendOptions("gpu", 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cuda:0")
                .hasMessageContaining("CUDA");
    }

    @Test
    void fusedAttentionMatchesPlainFormAndReference() {
        long[] q = {2, 3, 5, 8};
        long[] kv = {2, 3, 7, 8};
        List<long[]> biasShapes = java.util.Arrays.asList(null, new long[] {1, 1, 5, 7}, new long[] {2, 1, 1, 7},
                new long[] {2, 3, 5, 7}, new long[] {5, 7}, new long[] {7});
        try (OnnxBackend fused = new OnnxBackend(BackendOptions.cpu(), new OnnxGraphRecorder.Options(true, 1L << 30));
             OnnxBackend plain = new OnnxBackend(BackendOptions.cpu(), new OnnxGraphRecorder.Options(false, 1L << 30))) {
            for (long[] biasShape : biasShapes) {
                String label = "attention with bias " + (biasShape == null ? "none" : Shapes.toString(biasShape));
                Map<String, HostTensor> in = attentionInputs(q, kv, kv, biasShape);
                Network net = attentionNetwork(biasShape != null, 0.35);
                RefTensor expected = RefTensor.attention(RefTensor.of(in.get("q")), RefTensor.of(in.get("k")),
                        RefTensor.of(in.get("v")), biasShape == null ? null : RefTensor.of(in.get("bias")), 0.35);

                HostTensor viaFused = runOnce(fused, net, in);
                HostTensor viaPlain = runOnce(plain, net, in);

                assertClose(label + " (fused)", viaFused, expected, 2e-5);
                assertClose(label + " (plain)", viaPlain, expected, 2e-5);
                assertClose(label + " (fused vs plain)", viaFused, RefTensor.of(viaPlain), 2e-5);
                assertThat(record(fused, net, in).usesFusedAttention()).as(label).isTrue();
                assertThat(record(plain, net, in).usesFusedAttention()).as(label).isFalse();
            }
        }
    }

    @Test
    void plainAttentionSplitsLongQueriesIntoChunks() {
        long[] q = {1, 2, 40, 4};
        long[] kv = {1, 2, 9, 4};
        Map<String, HostTensor> in = attentionInputs(q, kv, new long[] {1, 2, 9, 6}, new long[] {1, 2, 40, 9});
        Network net = attentionNetwork(true, 0.5);
        // 1 KiB per score chunk: the 2·40·9 floats of scores need three chunks.
        try (OnnxBackend chunked = new OnnxBackend(BackendOptions.cpu(), new OnnxGraphRecorder.Options(false, 1024));
             OnnxBackend whole = new OnnxBackend(BackendOptions.cpu(), new OnnxGraphRecorder.Options(false, 1L << 30))) {
            assertThat(record(chunked, net, in).nodeCount()).isGreaterThan(record(whole, net, in).nodeCount());
            RefTensor expected = RefTensor.attention(RefTensor.of(in.get("q")), RefTensor.of(in.get("k")),
                    RefTensor.of(in.get("v")), RefTensor.of(in.get("bias")), 0.5);
            assertClose("chunked attention", runOnce(chunked, net, in), expected, 2e-5);
        }
    }

    @Test
    void smallConvLinearAttentionNetworkMatchesReference() {
        // conv → tokens → linear q/k/v → fused attention → output projection, weights stored as BF16 and F32.
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("conv.weight", toBf16(uniform(-0.5, 0.5, 8, 3, 3, 3)));
        weights.put("conv.bias", uniform(-0.1, 0.1, 8));
        for (String p : List.of("q", "k", "v", "o")) {
            weights.put(p + ".weight", uniform(-0.4, 0.4, 8, 8));
            weights.put(p + ".bias", uniform(-0.1, 0.1, 8));
        }
        List<ParameterSpec> specs = weights.entrySet().stream()
                .map(e -> ParameterSpec.required(e.getKey(), e.getValue().shape())).toList();
        Network net = new LambdaNetwork("tiny_block", specs, (ops, in) -> {
            Tensor features = ops.conv(in.get("image"), ops.parameter("conv.weight"), ops.parameter("conv.bias"),
                    new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);                // [1, 8, 3, 3]
            Tensor tokens = ops.permute(ops.reshape(features, 1, 8, 9), 0, 2, 1);           // [1, 9, 8]
            Tensor[] qkv = new Tensor[3];
            String[] names = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                Tensor t = ops.linear(tokens, ops.parameter(names[i] + ".weight"), ops.parameter(names[i] + ".bias"));
                qkv[i] = ops.permute(ops.reshape(t, 1, 9, 2, 4), 0, 2, 1, 3);               // [1, 2, 9, 4]
            }
            Tensor attended = ops.attention(qkv[0], qkv[1], qkv[2], null, 0.5);
            Tensor merged = ops.reshape(ops.permute(attended, 0, 2, 1, 3), 1, 9, 8);
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("y", ops.linear(merged, ops.parameter("o.weight"), ops.parameter("o.bias")));
            out.put("features", features);
            return out;
        });
        HostTensor image = uniform(-1, 1, 1, 3, 6, 6);

        Map<String, HostTensor> result;
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             LoadedNetwork loaded = backend.load(net, new MapParameterSource(weights))) {
            result = loaded.run(Map.of("image", image));
        }

        RefTensor features = RefTensor.of(image).conv(RefTensor.of(weights.get("conv.weight")),
                RefTensor.of(weights.get("conv.bias")), new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);
        RefTensor tokens = features.reshape(1, 8, 9).permute(0, 2, 1);
        RefTensor[] qkv = new RefTensor[3];
        String[] names = {"q", "k", "v"};
        for (int i = 0; i < 3; i++) {
            qkv[i] = tokens.linear(RefTensor.of(weights.get(names[i] + ".weight")),
                    RefTensor.of(weights.get(names[i] + ".bias"))).reshape(1, 9, 2, 4).permute(0, 2, 1, 3);
        }
        RefTensor merged = RefTensor.attention(qkv[0], qkv[1], qkv[2], null, 0.5).permute(0, 2, 1, 3)
                .reshape(1, 9, 8);
        RefTensor y = merged.linear(RefTensor.of(weights.get("o.weight")), RefTensor.of(weights.get("o.bias")));
        assertThat(result.keySet()).containsExactly("y", "features");
        assertClose("features", result.get("features"), features, 2e-5);
        assertClose("y", result.get("y"), y, 2e-5);
    }

    @Test
    void everyArenaSettingGivesTheSameValuesRunAfterRun() {
        HostTensor w = uniform(-0.5, 0.5, 4, 3, 3, 3);
        Network net = new LambdaNetwork("arena", List.of(ParameterSpec.required("w", 4, 3, 3, 3)),
                (ops, in) -> Map.of("y", ops.tanh(ops.conv(in.get("x"), ops.parameter("w"), null, new int[] {1, 1},
                        new int[] {1, 1}, new int[] {1, 1}, 1))));
        List<HostTensor> inputs = List.of(uniform(-1, 1, 1, 3, 40, 40), uniform(-1, 1, 2, 3, 24, 24),
                uniform(-1, 1, 1, 3, 40, 40));
        for (OnnxBackend.CpuArena arena : OnnxBackend.CpuArena.values()) {
            try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu(), OnnxGraphRecorder.Options.defaults(),
                    arena, false);
                 LoadedNetwork loaded = backend.load(net, new MapParameterSource(Map.of("w", w)))) {
                assertThat(backend.runOptions() != null).as(arena.name())
                        .isEqualTo(arena == OnnxBackend.CpuArena.SHRINK);
                // the shared arena registers on Linux (the library found in /proc/self/maps), and cuts forwards
                assertThat(backend.cutsAtReleasedInputs()).as(arena.name())
                        .isEqualTo(arena == OnnxBackend.CpuArena.SHARED);
                for (HostTensor x : inputs) {
                    RefTensor expected = RefTensor.of(x).conv(RefTensor.of(w), null, new int[] {1, 1},
                            new int[] {1, 1}, new int[] {1, 1}, 1).map(Math::tanh);
                    assertClose(arena + " " + Shapes.toString(x.shape()), loaded.run(Map.of("x", x)).get("y"),
                            expected, 1e-5);
                }
            }
        }
    }

    @Test
    void arenaSettingIsReadByNameAndAWrongOneIsRefused() {
        assertThat(OnnxBackend.CpuArena.parse(null)).isEqualTo(OnnxBackend.CpuArena.SHARED);
        assertThat(OnnxBackend.CpuArena.parse("TRUE")).isEqualTo(OnnxBackend.CpuArena.ON);
        assertThat(OnnxBackend.CpuArena.parse("shrink")).isEqualTo(OnnxBackend.CpuArena.SHRINK);
        assertThat(OnnxBackend.CpuArena.parse("false")).isEqualTo(OnnxBackend.CpuArena.OFF);
        assertThat(OnnxBackend.CpuArena.parse("Shared")).isEqualTo(OnnxBackend.CpuArena.SHARED);
        assertThatThrownBy(() -> OnnxBackend.CpuArena.parse("off"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(OnnxBackend.ARENA_PROPERTY).hasMessageContaining("'off'");
    }

    @Test
    void jemallocIsRecognisedAmongTheMappedFiles() {
        String glibc = "7f1c2a000000-7f1c2a028000 r--p 00000000 08:01 1311 /usr/lib/x86_64-linux-gnu/libc.so.6";
        String jemalloc = "7f1c2b000000-7f1c2b01a000 r--p 00000000 08:01 2718 "
                + "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
        String stack = "7ffd1a2e0000-7ffd1a301000 rw-p 00000000 00:00 0                          [stack]";
        String similarName = "7f1c2c000000-7f1c2c001000 r--p 00000000 08:01 3141 /opt/app/not-libjemalloc.so.2";
        assertThat(OnnxBackend.mapsJemalloc(Stream.of(glibc, stack, similarName))).isFalse();
        assertThat(OnnxBackend.mapsJemalloc(Stream.of(glibc, jemalloc, stack))).isTrue();
        assertThat(OnnxBackend.mapsJemalloc(Stream.of())).isFalse();
    }

    @Test
    void sessionsAreCachedPerInputShape() {
        HostTensor w = uniform(-1, 1, 4);
        MapParameterSource weights = new MapParameterSource(Map.of("w", w));
        Network net = new LambdaNetwork("cached", List.of(ParameterSpec.required("w", 4)),
                (ops, in) -> Map.of("y", ops.mul(in.get("x"), ops.parameter("w"))));
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             OnnxLoadedNetwork loaded = (OnnxLoadedNetwork) backend.load(net, weights)) {
            loaded.run(Map.of("x", uniform(-1, 1, 2, 4)));
            loaded.run(Map.of("x", uniform(-1, 1, 2, 4)));
            assertThat(loaded.sessionBuilds()).isEqualTo(1);

            HostTensor other = uniform(-1, 1, 3, 4);
            HostTensor y = loaded.run(Map.of("x", other)).get("y");
            assertThat(loaded.sessionBuilds()).isEqualTo(2);
            assertClose("mul", y, RefTensor.of(other).mul(RefTensor.of(w)), 1e-6);

            loaded.run(Map.of("x", uniform(-1, 1, 2, 4)));
            assertThat(loaded.sessionBuilds()).isEqualTo(2);
            assertThat(loaded.cachedSessions()).isEqualTo(2);
            // the weight is read from the source once, however many sessions use it
            assertThat(weights.readCount("w")).isEqualTo(1);
        }
    }

    @Test
    void largeWeightsStayOutOfTheModelAndAreSharedWithoutCopy() {
        // 3 200 × 4 096 float32 = 52 MB of weights.
        int out = 3200;
        int in = 4096;
        ByteBuffer storage = ByteBuffer.allocateDirect(out * in * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out * in; i++) {
            storage.putFloat(i * 4, (i % 97) * 0.001f);
        }
        HostTensor weight = HostTensor.of(DType.F32, new long[] {out, in}, storage);
        HostTensor bias = HostTensor.of(DType.F32, new long[] {out, in}, storage);
        MapParameterSource weights = new MapParameterSource(Map.of("big.weight", weight, "big.shift", bias));
        Network net = new LambdaNetwork("big", List.of(ParameterSpec.required("big.weight", out, in),
                ParameterSpec.required("big.shift", out, in)), (ops, x) -> {
                    Map<String, Tensor> o = new LinkedHashMap<>();
                    o.put("y", ops.linear(x.get("x"), ops.parameter("big.weight"), null));
                    o.put("shifted", ops.add(x.get("grid"), ops.parameter("big.shift")));
                    return o;
                });
        HostTensor x = uniform(-1, 1, 1, in);
        HostTensor grid = HostTensor.zeros(out, in);
        Map<String, HostTensor> inputs = Map.of("x", x, "grid", grid);

        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             OnnxLoadedNetwork loaded = (OnnxLoadedNetwork) backend.load(net, weights)) {
            assertThat(loaded.record(inputs).model().length).isLessThan(1 << 20);

            Map<String, HostTensor> first = loaded.run(inputs);
            float[] xs = x.toFloatArray();
            float[] ys = first.get("y").toFloatArray();
            for (int row : new int[] {0, 1, 1777, out - 1}) {
                double dot = 0;
                for (int c = 0; c < in; c++) {
                    dot += xs[c] * storage.getFloat((row * in + c) * 4);
                }
                assertThat((double) ys[row]).as("y[%d]", row).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-3));
            }
            // The CPU session reads the Gemm weight from the caller's buffer itself (no copy, no prepacked copy):
            // a change to it shows in the next run. The Add operand is not a MatMul/Gemm weight, so it was copied
            // into the session where optimisers may read it, and keeps the value it had when the session was built.
            float old = storage.getFloat(0);
            storage.putFloat(0, 123.5f);
            Map<String, HostTensor> second = loaded.run(inputs);
            assertThat((double) second.get("y").toFloatArray()[0])
                    .isCloseTo(ys[0] + (123.5 - old) * xs[0], org.assertj.core.data.Offset.offset(1e-2));
            assertThat(second.get("shifted").toFloatArray()[0]).isEqualTo(old);
            assertThat(backend.copyAllRebuilds()).isZero();
        }
    }

    @Test
    void subgraphsOfParametersOnlyAreFoldedFromReadableData() {
        // ONNX Runtime folds nodes fed by initializers only while building the session; it must be able to read
        // those weights (a shared-from-memory initializer would send it to the placeholder file).
        HostTensor bias = uniform(-1, 1, 3);
        HostTensor table = uniform(-1, 1, 2, 3);
        MapParameterSource weights = new MapParameterSource(Map.of("bias", bias, "table", table));
        Network net = new LambdaNetwork("folded", List.of(ParameterSpec.required("bias", 3),
                ParameterSpec.required("table", 2, 3)), (ops, in) -> {
                    Tensor channelBias = ops.reshape(ops.mul(ops.parameter("bias"), 2.0), 1, 3, 1);
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("y", ops.add(in.get("x"), channelBias));
                    out.put("table_sum", ops.sum(ops.parameter("table"), 0, false));
                    out.put("table", ops.parameter("table"));
                    return out;
                });
        HostTensor x = uniform(-1, 1, 2, 3, 4);

        Map<String, HostTensor> result;
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             LoadedNetwork loaded = backend.load(net, weights)) {
            result = loaded.run(Map.of("x", x));
        }

        assertClose("y", result.get("y"), RefTensor.of(x).add(RefTensor.of(bias).map(v -> 2 * v).reshape(1, 3, 1)),
                1e-6);
        assertClose("table_sum", result.get("table_sum"), RefTensor.of(table).sum(0, false), 1e-6);
        assertClose("table", result.get("table"), RefTensor.of(table), 0);
    }

    @Test
    void equalisedConvAndLinearLayersBuildWithoutCopyingEveryWeight() {
        // The motion encoder's patterns (NETWORKS.md §3.1): Conv of a weight scaled by a constant (equalised lr),
        // followed by an Add of a [1, C, 1, 1] bias that ONNX Runtime's ConvAddFusion folds into the Conv bias
        // (it reads the bias' data), then linear layers on a scaled weight and on a plain one.
        HostTensor convWeight = uniform(-1, 1, 4, 3, 3, 3);
        HostTensor convBias = uniform(-1, 1, 1, 4, 1, 1);
        HostTensor fcWeight = uniform(-1, 1, 6, 16);
        HostTensor fcBias = uniform(-1, 1, 6);
        ByteBuffer directionStorage = ByteBuffer.allocateDirect(10 * 6 * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] directionValues = uniform(-1, 1, 10, 6).toFloatArray();
        for (int i = 0; i < directionValues.length; i++) {
            directionStorage.putFloat(i * 4, directionValues[i]);
        }
        HostTensor direction = HostTensor.of(DType.F32, new long[] {10, 6}, directionStorage);
        Map<String, HostTensor> weights = Map.of("conv.weight", convWeight, "conv.bias", convBias,
                "fc.weight", fcWeight, "fc.bias", fcBias, "direction", direction);
        List<ParameterSpec> specs = weights.entrySet().stream()
                .map(e -> ParameterSpec.required(e.getKey(), e.getValue().shape())).toList();
        double convScale = 1 / Math.sqrt(27);
        double fcScale = 0.25;
        double sqrt2 = Math.sqrt(2);
        Network net = new LambdaNetwork("equalised", specs, (ops, in) -> {
            Tensor conv = ops.conv(in.get("x"), ops.mul(ops.parameter("conv.weight"), convScale), null,
                    new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);                  // [2, 4, 2, 2]
            Tensor act = ops.mul(ops.leakyRelu(ops.add(conv, ops.parameter("conv.bias")), 0.2), sqrt2);
            Tensor alpha = ops.linear(ops.reshape(act, 2, 16), ops.mul(ops.parameter("fc.weight"), fcScale),
                    ops.parameter("fc.bias"));                                                  // [2, 6]
            return Map.of("y", ops.linear(alpha, ops.parameter("direction"), null));          // [2, 10]
        });
        HostTensor x = uniform(-1, 1, 2, 3, 2, 2);

        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             OnnxLoadedNetwork loaded = (OnnxLoadedNetwork) backend.load(net, new MapParameterSource(weights))) {
            HostTensor first = loaded.run(Map.of("x", x)).get("y");
            assertThat(backend.copyAllRebuilds()).as("sessions rebuilt with every weight copied").isZero();
            assertThat(loaded.record(Map.of("x", x)).shareableInitializers()).containsExactly("direction");

            RefTensor act = RefTensor.of(x).conv(RefTensor.of(convWeight).map(v -> v * convScale), null,
                    new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1).add(RefTensor.of(convBias))
                    .map(v -> (v < 0 ? 0.2 * v : v) * sqrt2);
            RefTensor alpha = act.reshape(2, 16).linear(RefTensor.of(fcWeight).map(v -> v * fcScale),
                    RefTensor.of(fcBias));
            assertClose("y", first, alpha.linear(RefTensor.of(direction), null), 2e-5);

            // The plain Gemm weight is still shared with the caller's buffer, not copied.
            directionStorage.putFloat(0, directionStorage.getFloat(0) + 1f);
            HostTensor second = loaded.run(Map.of("x", x)).get("y");
            assertThat((double) second.toFloatArray()[0] - first.toFloatArray()[0])
                    .isCloseTo(alpha.get(0, 0), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void parametersReadButNotUsedForTheseShapesAreLeftOut() {
        // Like the VAE's time_conv on a single frame: the network reads parameters whose nodes do not reach an
        // output. ONNX Runtime drops unconsumed initializers while loading, so binding them must not be attempted.
        HostTensor used = uniform(-1, 1, 4);
        HostTensor unused = uniform(-1, 1, 4);
        HostTensor deadKernel = uniform(-1, 1, 2, 1, 3);
        MapParameterSource weights = new MapParameterSource(Map.of("used", used, "unused", unused,
                "dead.kernel", deadKernel));
        Network net = new LambdaNetwork("partly_used", List.of(ParameterSpec.required("used", 4),
                ParameterSpec.required("unused", 4), ParameterSpec.required("dead.kernel", 2, 1, 3)), (ops, in) -> {
                    ops.parameter("unused");
                    ops.conv(ops.reshape(in.get("x"), 1, 1, 4), ops.mul(ops.parameter("dead.kernel"), 2.0), null,
                            new int[] {1}, new int[] {1}, new int[] {1}, 1);
                    return Map.of("y", ops.add(in.get("x"), ops.parameter("used")));
                });
        HostTensor x = uniform(-1, 1, 4);

        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             OnnxLoadedNetwork loaded = (OnnxLoadedNetwork) backend.load(net, weights)) {
            RecordedGraph graph = loaded.record(Map.of("x", x));
            assertThat(graph.parameters().values()).containsExactly("used");
            assertThat(graph.nodeCount()).isEqualTo(2);   // Add, output Identity
            assertClose("y", loaded.run(Map.of("x", x)).get("y"), RefTensor.of(x).add(RefTensor.of(used)), 1e-6);
            assertThat(backend.copyAllRebuilds()).isZero();
        }
    }

    @Test
    void missingInputIsNamedWithTheGivenOnes() {
        Network net = new LambdaNetwork("masked", List.of(),
                (ops, in) -> Map.of("y", ops.mul(in.get("x"), in.get("mask"))));
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
            assertThatThrownBy(() -> loaded.run(Map.of("x", uniform(-1, 1, 2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'mask'")
                    .hasMessageContaining("[x]")
                    .hasMessageContaining("x[2]");
        }
    }

    @Test
    void integerInputIsRejectedByName() {
        Network net = new LambdaNetwork("ints", List.of(), (ops, in) -> Map.of("y", in.get("tokens")));
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
             LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
            assertThatThrownBy(() -> loaded.run(Map.of("tokens", HostTensor.of(DType.I64, new long[] {2}, bytes))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tokens")
                    .hasMessageContaining("I64");
        }
    }

    @Test
    void closedNetworkRefusesToRun() {
        Network net = new LambdaNetwork("closing", List.of(), (ops, in) -> Map.of("y", ops.tanh(in.get("x"))));
        OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
        LoadedNetwork loaded = backend.load(net, MapParameterSource.empty());
        loaded.run(Map.of("x", uniform(-1, 1, 3)));
        backend.close();
        assertThatThrownBy(() -> loaded.run(Map.of("x", uniform(-1, 1, 3))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> backend.load(net, MapParameterSource.empty()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void protoWriterEncodesVarintsAsProtobufDoes() {
        assertThat(new ProtoWriter().varint(1, 150).toByteArray()).containsExactly(0x08, 0x96, 0x01);
        assertThat(new ProtoWriter().varint(2, -1).toByteArray()).containsExactly(0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0x01);
        assertThat(new ProtoWriter().string(2, "testing").toByteArray())
                .containsExactly(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g');
        assertThat(new ProtoWriter().packedInt64(1, new long[] {3, 270}).toByteArray())
                .containsExactly(0x0a, 0x03, 0x03, 0x8e, 0x02);
        assertThat(new ProtoWriter().float32(2, 1.0f).toByteArray()).containsExactly(0x15, 0x00, 0x00, 0x80, 0x3f);
    }

    // ---------------------------------------------------------------- helpers

    private static Network attentionNetwork(boolean withBias, double scale) {
        return new LambdaNetwork("attention", List.of(), (ops, in) -> Map.of("y", ops.attention(in.get("q"),
                in.get("k"), in.get("v"), withBias ? in.get("bias") : null, scale)));
    }

    private Map<String, HostTensor> attentionInputs(long[] q, long[] k, long[] v, long[] bias) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("q", uniform(-2, 2, q));
        in.put("k", uniform(-2, 2, k));
        in.put("v", uniform(-1, 1, v));
        if (bias != null) {
            in.put("bias", uniform(-3, 3, bias));
        }
        return in;
    }

    private static HostTensor runOnce(OnnxBackend backend, Network net, Map<String, HostTensor> in) {
        try (LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
            return loaded.run(in).get("y");
        }
    }

    private static RecordedGraph record(OnnxBackend backend, Network net, Map<String, HostTensor> in) {
        try (OnnxLoadedNetwork loaded = (OnnxLoadedNetwork) backend.load(net, MapParameterSource.empty())) {
            return loaded.record(in);
        }
    }

    private HostTensor uniform(double lo, double hi, long... shape) {
        float[] v = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return HostTensor.ofFloats(shape, v);
    }

    private static HostTensor toBf16(HostTensor t) {
        float[] values = t.toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            bytes.putShort(DTypeConversions.floatToBf16(f));
        }
        bytes.flip();
        return HostTensor.of(DType.BF16, t.shape(), bytes);
    }

    private static void assertClose(String what, HostTensor actual, RefTensor expected, double tol) {
        assertThat(actual.shape()).as(what + ": shape").isEqualTo(expected.shape());
        float[] a = actual.toFloatArray();
        double[] e = expected.values();
        for (int i = 0; i < e.length; i++) {
            double allowed = tol * Math.max(1.0, Math.abs(e[i]));
            if (!(Math.abs(a[i] - e[i]) <= allowed)) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (tolerance " + allowed + ")");
            }
        }
    }
}
