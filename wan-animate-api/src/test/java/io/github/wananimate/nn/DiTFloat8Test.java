package io.github.wananimate.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralDiTInputs;
import io.github.wananimate.procedural.ProceduralFloat8;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.Checkpoints;
import io.github.wananimate.weights.Fp8Checkpoint;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A float8 DiT checkpoint (ComfyUI / Kijai layout: float8 {@code .weight}s, float32 {@code .scale_weight} scalars, a
 * {@code scaled_fp8} marker, float32 norms and biases) runs on a backend, resident and with streamed blocks, and
 * gives exactly the output of a float32 checkpoint holding the dequantised values
 * ({@code float8 value × scale} in float32): the dequantised weights are the same float32 numbers, so the forward is
 * the same computation. Tolerance 0, in fp32 and in bf16 (both files' weights rounded to bf16 the same way). A
 * streamed block's float8 weights cross to the device as their one-byte codes ({@link ParameterSource#float8}).
 * Backend modules run it by naming their backend.
 */
public abstract class DiTFloat8Test {

    private static final DiTConfig CONFIG = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);

    @TempDir
    Path dir;
    private Backend backend;

    /** The provider name passed to {@link Backends#byName}. */
    protected abstract String backendName();

    /**
     * Asserts that {@code net}, loaded resident from a float8 checkpoint and run once, holds exactly the weights of
     * {@code float8Specs} as their one-byte codes (looked up when used) and no dequantised copy of them.
     *
     * @param net the network, as the backend loaded it
     * @param float8Specs the network's parameters stored as float8 in the file
     */
    protected abstract void assertHeldAsCodes(LoadedNetwork net, Set<ParameterSpec> float8Specs);

    @BeforeEach
    void open() {
        backend = Backends.byName(backendName()).open(BackendOptions.cpu());
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void scaledE4m3GivesTheDequantisedFloat32Output() {
        check(ProceduralFloat8.Layout.SCALED_E4M3, Precision.FP32);
    }

    @Test
    void unscaledE4m3GivesTheDequantisedFloat32Output() {
        check(ProceduralFloat8.Layout.UNSCALED_E4M3, Precision.FP32);
    }

    @Test
    void scaledE5m2GivesTheDequantisedFloat32Output() {
        check(ProceduralFloat8.Layout.SCALED_E5M2, Precision.FP32);
    }

    @Test
    void scaledE4m3InBf16GivesTheDequantisedBf16Output() {
        check(ProceduralFloat8.Layout.SCALED_E4M3, Precision.BF16);
    }

    private void check(ProceduralFloat8.Layout layout, Precision precision) {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG, false, precision);
        Path fp8 = dir.resolve("dit." + layout + ".safetensors");
        Path dequantised = dir.resolve("dit." + layout + ".dequantised.f32.safetensors");
        ProceduralFloat8.write(dit, layout, "model.diffusion_model.", 7, DType.F32, fp8, dequantised);
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(CONFIG, 3, 8, false);
        float[] reference;
        try (ParameterSource f32 = KeyMappings.toOfficial(Checkpoints.open(dequantised));
                LoadedNetwork net = backend.load(dit, f32)) {
            reference = net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray();
        }
        try (ParameterSource opened = Checkpoints.open(fp8)) {
            assertThat(opened).isInstanceOf(Fp8Checkpoint.class);
            ParameterSource official = KeyMappings.toOfficial(opened);
            long residentBytes;
            try (LoadedNetwork net = backend.load(dit, official)) {
                assertThat(net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray()).as("resident %s %s", layout,
                        precision).containsExactly(reference);
                residentBytes = net.hostDeviceBytes();
                assertHeldAsCodes(net, dit.parameters().stream().filter(ProceduralFloat8::quantised)
                        .collect(Collectors.toSet()));
            }
            Set<String> groups = dit.parameterGroups().stream().map(ParameterGroup::name)
                    .filter(g -> g.startsWith("blocks.")).collect(Collectors.toSet());
            Set<String> streamedKeys = dit.parameterGroups().stream().filter(g -> groups.contains(g.name()))
                    .flatMap(g -> g.keys().stream()).collect(Collectors.toSet());
            assertThat(streamedKeys).anyMatch(k -> official.float8(k).isPresent());
            // float8 weights cross to the device as their codes, one byte each, and are looked up there
            long streamedBytes = streamedKeys.stream().mapToLong(k -> official.float8(k)
                    .map(f -> f.stored().byteSize()).orElseGet(() -> official.get(k).byteSize())).sum();
            try (LoadedNetwork net = backend.load(dit, official, groups)) {
                assertThat(net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray()).as("streamed %s %s", layout,
                        precision).containsExactly(reference);
                assertThat(net.hostDeviceBytes()).isEqualTo(residentBytes + streamedBytes);
            }
        }
    }
}
