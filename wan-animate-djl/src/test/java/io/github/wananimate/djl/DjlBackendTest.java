package io.github.wananimate.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.wananimate.nn.LambdaNetwork;
import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RefTensor;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** DJL-specific behaviour: engine loading, devices, weight upload, attention chunking, memory scoping. */
class DjlBackendTest {

    private final Random random = new Random(7);

    @Test
    void providerIsRegisteredAndLoadsTheBundledEngineOffline() {
        BackendProvider provider = Backends.byName("djl");
        assertThat(provider).isInstanceOf(DjlBackendProvider.class);
        assertThat(provider.priority("cpu")).isEqualTo(40);
        assertThat(provider.priority("cuda:0")).isEqualTo(100);
        assertThat(provider.loadFailure()).isEmpty();
        assertThat(provider.isAvailable()).isTrue();
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(Engine.getEngine("PyTorch").getVersion()).startsWith("2.7.1");
        try (Backend backend = provider.open(BackendOptions.cpu())) {
            assertThat(backend.name()).isEqualTo("djl");
            assertThat(backend.device()).isEqualTo("cpu");
        }
    }

    @Test
    void aLoadFailureNamesItsCauseAndTheFix() {
        var failure = DjlBackendProvider.explain(new RuntimeException("engine failed",
                new UnsatisfiedLinkError("libtorch_cpu.so: cannot open shared object file")));
        assertThat(failure.getMessage())
                .contains("libtorch_cpu.so: cannot open shared object file")
                .contains("pytorch-native-cpu with classifier " + DjlBackendProvider.pytorchClassifier())
                .contains("PYTORCH_LIBRARY_PATH");
        assertThat(failure.getCause()).hasMessage("engine failed");
    }

    @Test
    void pytorchsCppWarningsAreQuietedInTheLoadedLibrary() {
        Assumptions.assumeTrue(System.getenv("TORCH_CPP_LOG_LEVEL") == null, "the user set TORCH_CPP_LOG_LEVEL");
        Assumptions.assumeFalse(com.sun.jna.Platform.isWindows());
        assertThat(Backends.byName("djl").isAvailable()).isTrue();
        java.nio.file.Path c10 = java.nio.file.Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath())
                .resolve(System.mapLibraryName("c10"));
        int level = com.sun.jna.NativeLibrary.getInstance(c10.toString())
                .getGlobalVariableAddress("FLAGS_caffe2_log_level").getInt(0);
        assertThat(level).as("c10 log level (2 = ERROR: no NNPACK warnings on stderr)").isEqualTo(2);
    }

    @Test
    void cudaWithoutGpuIsAClearError() {
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a CUDA GPU");
        BackendProvider provider = Backends.byName("djl");
        assertThatThrownBy(() -> provider.open(new BackendOptions("cuda", 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("device 'cuda:0' requested")
                .hasMessageContaining("0 CUDA device(s)");
        assertThatThrownBy(() -> provider.open(new BackendOptions("tpu:1", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown device 'tpu:1'");
    }

    @Test
    void holdsEachWeightInTheBytesPerElementItReportsToTheMemoryModel() {
        MapParameterSource weights = new MapParameterSource(Map.of("proj.weight", uniform(4, 3)));
        try (Backend backend = Backends.byName("djl").open(BackendOptions.cpu())) {
            for (DType stored : List.of(DType.F32, DType.BF16, DType.F16)) {
                ParameterSpec spec = ParameterSpec.required("proj.weight", 4, 3).storedAs(stored);
                try (LoadedNetwork loaded = backend.load(new LambdaNetwork("proj", List.of(spec),
                        (ops, in) -> Map.of()), weights)) {
                    NDArray array = ((DjlLoadedNetwork) loaded).parameter(spec).array();
                    assertThat(array.getDataType().getNumOfBytes()).as("%s", stored)
                            .isEqualTo(backend.heldBytesPerElement(stored));
                }
            }
            // fp16 is a real 2-byte array; bf16 is emulated in float32 (see DjlOps)
            assertThat(backend.heldBytesPerElement(DType.F16)).isEqualTo(2);
            assertThat(backend.heldBytesPerElement(DType.BF16)).isEqualTo(4);
        }
    }

    @Test
    void eachWeightIsReadOncePerLoad() {
        HostTensor w = uniform(4, 3);
        MapParameterSource weights = new MapParameterSource(Map.of("proj.weight", w));
        Network net = new LambdaNetwork("proj", List.of(ParameterSpec.required("proj.weight", 4, 3)),
                (ops, in) -> Map.of("y", ops.linear(in.get("x"), ops.parameter("proj.weight"), null)));
        try (Backend backend = Backends.byName("djl").open(BackendOptions.cpu());
                LoadedNetwork loaded = backend.load(net, weights)) {
            for (int i = 0; i < 3; i++) {
                HostTensor x = uniform(i + 1, 3);
                assertClose(loaded.run(Map.of("x", x)).get("y"), RefTensor.of(x).linear(RefTensor.of(w), null));
            }
            assertThat(weights.readCount("proj.weight")).isEqualTo(1);
        }
    }

    @Test
    void chunkedAttentionMatchesReferenceForEveryBiasLayout() {
        long[][] biasShapes = {null, {2, 3, 37, 11}, {2, 1, 37, 11}, {1, 1, 1, 11}, {37, 11}, {11}};
        // a 1 KiB budget forces chunks of 8 queries for B·H = 6, Lk = 11 (the last one partial)
        try (Backend backend = new DjlBackend(BackendOptions.cpu(), 1024)) {
            for (long[] biasShape : biasShapes) {
                HostTensor q = uniform(2, 3, 37, 5);
                HostTensor k = uniform(2, 3, 11, 5);
                HostTensor v = uniform(2, 3, 11, 7);
                HostTensor bias = biasShape == null ? null : uniform(biasShape);
                Network net = new LambdaNetwork("attention", List.of(), (ops, in) -> Map.of("y",
                        ops.attention(in.get("q"), in.get("k"), in.get("v"), bias == null ? null : in.get("bias"), 0.4)));
                Map<String, HostTensor> inputs = bias == null ? Map.of("q", q, "k", k, "v", v)
                        : Map.of("q", q, "k", k, "v", v, "bias", bias);
                try (LoadedNetwork loaded = backend.load(net, MapParameterSource.empty())) {
                    assertClose(loaded.run(inputs).get("y"), RefTensor.attention(RefTensor.of(q), RefTensor.of(k),
                            RefTensor.of(v), bias == null ? null : RefTensor.of(bias), 0.4));
                }
            }
        }
    }

    @Test
    void chainFreesEachStepWhileAPlainScopedLoopKeepsThem() {
        try (NDManager call = NDManager.newBaseManager("PyTorch")) {
            DjlOps ops = opsWithoutParameters(call);
            Tensor x = ops.input("x", uniform(4, 8));
            int before = managedArrays(call);

            Tensor chained = ops.chain(x, 20, (i, h) -> ops.add(ops.tanh(ops.mul(h, 1.5)), x));
            assertThat(managedArrays(call)).isEqualTo(before + 1);

            Tensor looped = x;
            for (int i = 0; i < 20; i++) {
                Tensor h = looped;
                looped = ops.scoped(() -> ops.add(ops.tanh(ops.mul(h, 1.5)), x));
            }
            assertThat(managedArrays(call)).isEqualTo(before + 1 + 20);
            assertClose(DjlOps.toHost(chained), RefTensor.of(DjlOps.toHost(looped)));
        }
    }

    @Test
    void onTheCpuVideosAreSlicedOnlyWhenFramesAreLargeEnoughForPyTorchsFastConvolutions() {
        try (NDManager call = NDManager.newBaseManager("PyTorch")) {
            DjlOps ops = opsWithoutParameters(call);
            long mib = 1L << 20;
            assertThat(ops.videoSliceFrames(16L * 256 * 256 * Float.BYTES)).as("256x256, dim 16: a chunk's 4 frames")
                    .isGreaterThanOrEqualTo(4);
            assertThat(ops.videoSliceFrames(96L * 480 * 832 * Float.BYTES)).as("480x832, dim 96").isEqualTo(1);
            assertThat(ops.videoSliceFrames(40 * mib)).isEqualTo(2);
            assertThat(ops.videoSliceFrames(DjlOps.MIN_VIDEO_SLICE_BYTES)).isEqualTo(1);
            assertThat(ops.videoSliceFrames(1)).isEqualTo((int) DjlOps.MIN_VIDEO_SLICE_BYTES);
            assertThat(ops.videoSliceFrames(0)).as("no size: whole chunks").isZero();
        }
    }

    @Test
    void stateLeavingAScopeIsCopiedWhenItIsAViewAndKeptWhenItIsAConcatenation() {
        try (NDManager call = NDManager.newBaseManager("PyTorch")) {
            DjlOps ops = opsWithoutParameters(call);
            Tensor x = ops.input("x", uniform(1, 2, 4, 3));
            Tensor[] inner = new Tensor[2];
            List<Tensor> kept = ops.scopedAll(() -> {
                Tensor y = ops.mul(x, 2.0);
                inner[0] = ops.slice(y, 2, 2, 4);
                inner[1] = ops.concat(2, List.of(ops.slice(y, 2, 3, 4), x));
                return List.of(ops.add(y, 1.0), inner[0], inner[1]);
            });
            assertThat(DjlOps.array(inner[0]).isReleased()).as("the view's scope closed").isTrue();
            assertThat(DjlOps.array(kept.get(1))).as("a view is copied").isNotSameAs(DjlOps.array(inner[0]));
            assertThat(DjlOps.array(kept.get(2))).as("a concatenation is kept").isSameAs(DjlOps.array(inner[1]));
            assertThat(DjlOps.array(kept.get(2)).isReleased()).isFalse();
            Tensor doubled = ops.mul(x, 2.0);
            assertClose(DjlOps.toHost(kept.get(1)), RefTensor.of(DjlOps.toHost(ops.slice(doubled, 2, 2, 4))));
            assertClose(DjlOps.toHost(kept.get(2)), RefTensor.of(DjlOps.toHost(
                    ops.concat(2, List.of(ops.slice(doubled, 2, 3, 4), x)))));
        }
    }

    @Test
    void releaseFreesWhatTheCallComputedAndLeavesEverythingElse() {
        try (NDManager outside = NDManager.newBaseManager("PyTorch");
                NDManager call = outside.newSubManager()) {
            DjlOps ops = opsWithoutParameters(call);
            Tensor lent = new DjlTensor(outside.create(new float[] {1, 2, 3}));
            Tensor input = ops.input("x", uniform(3));
            Tensor[] inner = new Tensor[1];
            Tensor result = ops.scoped(() -> {
                inner[0] = ops.mul(input, 2.0);
                Tensor sum = ops.add(inner[0], lent);
                ops.release(inner[0]);
                return sum;
            });
            Tensor doubled = ops.mul(result, 2.0);
            ops.release(result);
            ops.release(lent);

            assertThat(DjlOps.array(inner[0]).isReleased()).as("released inside a scope").isTrue();
            assertThat(DjlOps.array(result).isReleased()).as("released in the call's own scope").isTrue();
            assertThat(DjlOps.array(lent).isReleased()).as("an array the call did not create").isFalse();
            assertThat(DjlOps.array(doubled).isReleased()).isFalse();
        }
    }

    @Test
    void aConsumingRunTakesOverItsDeviceInputsAndClosesThem() {
        Network twice = new LambdaNetwork("twice", List.of(), (ops, in) -> {
            if (in.get("state").dim(0) != 2) {
                throw new IllegalArgumentException("two values expected");
            }
            Tensor y = ops.mul(in.get("state"), 2.0);
            ops.release(in.get("state"));
            return Map.of("y", y);
        });
        try (Backend backend = Backends.byName("djl").open(BackendOptions.cpu());
                LoadedNetwork loaded = backend.load(twice, MapParameterSource.empty())) {
            DeviceTensor lent = backend.upload(HostTensor.ofFloats(new long[] {2}, new float[] {1f, 2f}));
            try (RunOutputs out = loaded.run(Map.of(), Map.of("state", lent), name -> true)) {
                assertThat(lent.isOpen()).as("a lent input stays with its owner, even when released").isTrue();
                assertThat(out.device().get("y").toHost().toFloatArray()).containsExactly(2f, 4f);
            }
            DeviceTensor handed = lent;
            try (RunOutputs out = loaded.runConsuming(Map.of(), Map.of("state", handed), name -> true)) {
                assertThat(handed.isOpen()).isFalse();
                assertThat(out.device().get("y").toHost().toFloatArray()).containsExactly(2f, 4f);
            }
            DeviceTensor failing = backend.upload(HostTensor.ofFloats(new long[] {3}, new float[] {1f, 2f, 3f}));
            assertThatThrownBy(() -> loaded.runConsuming(Map.of(), Map.of("state", failing), name -> true))
                    .hasMessageContaining("two values expected");
            assertThat(failing.isOpen()).as("closed also when the call fails").isFalse();
        }
    }

    @Test
    void glibcHeapsAreTrimmedAfterConsumingRunsByDefault() {
        assertThat(GlibcHeap.Policy.parse(null)).isEqualTo(GlibcHeap.Policy.AFTER_CONSUMING_RUNS);
        assertThat(GlibcHeap.Policy.parse(" True")).isEqualTo(GlibcHeap.Policy.AFTER_EVERY_RUN);
        assertThat(GlibcHeap.Policy.parse("false")).isEqualTo(GlibcHeap.Policy.NEVER);
        assertThatThrownBy(() -> GlibcHeap.Policy.parse("sometimes")).hasMessageContaining(GlibcHeap.PROPERTY)
                .hasMessageContaining("'sometimes'");
        assertThat(GlibcHeap.open(GlibcHeap.Policy.NEVER).afterRun(true)).isFalse();
        Assumptions.assumeTrue(com.sun.jna.Platform.isLinux());
        GlibcHeap auto = GlibcHeap.open(GlibcHeap.Policy.AFTER_CONSUMING_RUNS);
        assertThat(auto.policy()).as("malloc_trim found in the C library")
                .isEqualTo(GlibcHeap.Policy.AFTER_CONSUMING_RUNS);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < 8; i++) {
                manager.zeros(new ai.djl.ndarray.types.Shape(1 << 20)).close();   // 4 MiB blocks freed to the heap
            }
        }
        assertThat(auto.afterRun(false)).isFalse();
        assertThat(auto.afterRun(true)).isTrue();
        assertThat(GlibcHeap.open(GlibcHeap.Policy.AFTER_EVERY_RUN).afterRun(false)).isTrue();
    }

    @Test
    void engineErrorsNameTheOpAndShapes() {
        try (NDManager call = NDManager.newBaseManager("PyTorch")) {
            DjlOps ops = opsWithoutParameters(call);
            Tensor a = ops.input("a", uniform(2, 3));
            Tensor b = ops.input("b", uniform(4, 5));
            assertThatThrownBy(() -> ops.add(a, b)).isInstanceOf(DjlOpException.class)
                    .hasMessageStartingWith("add failed for operand shapes [2, 3], [4, 5]");
            Tensor signal = ops.input("signal", uniform(1, 3, 8));
            Tensor kernel = ops.input("kernel", uniform(4, 2, 3));
            assertThatThrownBy(() -> ops.conv(signal, kernel, null, new int[] {1}, new int[] {1}, new int[] {0}, 1))
                    .isInstanceOf(DjlOpException.class).hasMessageContaining("conv1d")
                    .hasMessageContaining("[1, 3, 8], [4, 2, 3]");
            assertThatThrownBy(() -> ops.conv(a, b, null, new int[] {1}, new int[] {0}, new int[] {0}, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 3 to 5");
            assertThatThrownBy(() -> ops.reshape(a, 4, -1)).isInstanceOf(DjlOpException.class)
                    .hasMessageContaining("reshape to [4, -1]").hasMessageContaining("[2, 3]");
        }
    }

    private static int managedArrays(NDManager manager) {
        return ((BaseNDManager) manager).getManagedArrays().size();
    }

    private HostTensor uniform(long... shape) {
        float[] values = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (2 * random.nextDouble() - 1);
        }
        return HostTensor.ofFloats(shape, values);
    }

    private static void assertClose(HostTensor actual, RefTensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        float[] a = actual.toFloatArray();
        double[] e = expected.values();
        for (int i = 0; i < e.length; i++) {
            assertThat((double) a[i]).as("element %d", i).isCloseTo(e[i],
                    org.assertj.core.api.Assertions.within(2e-5 * Math.max(1, Math.abs(e[i]))));
        }
    }

    /** Ops of a call in {@code call} for a network without parameters. */
    private static DjlOps opsWithoutParameters(NDManager call) {
        return new DjlOps(call, key -> {
            throw new AssertionError("no parameters");
        }, DjlBackend.DEFAULT_ATTENTION_CHUNK_BYTES);
    }
}
