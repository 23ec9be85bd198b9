package io.github.wananimate.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralDiTInputs;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block streaming on a backend: a small procedural DiT gives the same output bit for bit whether its blocks are
 * resident or streamed from the mapped file, and the streamed bytes are counted as host↔device traffic; in float32
 * from a bf16 file (as real checkpoints are stored) and in bf16 from a float32 file (each weight rounded to its
 * stored dtype on the way in). Backend modules run it by naming their backend.
 */
public abstract class DiTStreamingTest {

    private static final DiTConfig CONFIG = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);

    @TempDir
    Path dir;
    private Backend backend;

    /** The provider name passed to {@link Backends#byName}. */
    protected abstract String backendName();

    @BeforeEach
    void open() {
        backend = Backends.byName(backendName()).open(BackendOptions.cpu());
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private SafetensorsFile checkpoint(WanAnimateDiT dit, DType stored) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        Path file = dir.resolve("dit." + stored + ".safetensors");
        SafetensorsWriter.write(file, shapes, stored, key -> ProceduralWeights.values(key, shapes.get(key), 7));
        return SafetensorsFile.open(file);
    }

    @Test
    void streamedFloat32BlocksFromABf16FileGiveTheResidentOutput() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        try (SafetensorsFile weights = checkpoint(dit, DType.BF16)) {
            assertStreamedEqualsResident(dit, weights);
        }
    }

    @Test
    void streamedBf16BlocksFromAFloat32FileGiveTheResidentOutput() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG, false, Precision.BF16);
        try (SafetensorsFile weights = checkpoint(dit, DType.F32)) {
            assertStreamedEqualsResident(dit, weights);
        }
    }

    private void assertStreamedEqualsResident(WanAnimateDiT dit, SafetensorsFile weights) {
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(CONFIG, 3, 8, false);
        Set<String> streamed = Set.of("blocks.3", "blocks.4", "blocks.5", "blocks.9");
        Set<String> all = dit.parameterGroups().stream().map(ParameterGroup::name).collect(Collectors.toSet());
        float[] resident;
        long residentBytes;
        try (LoadedNetwork net = backend.load(dit, weights)) {
            resident = net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray();
            residentBytes = net.hostDeviceBytes();
        }
        for (Set<String> groups : java.util.List.of(streamed, all)) {
            try (LoadedNetwork net = backend.load(dit, weights, groups)) {
                assertThat(net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray()).as("streaming %s", groups)
                        .containsExactly(resident);
                long groupBytes = dit.parameterGroups().stream().filter(g -> groups.contains(g.name()))
                        .flatMap(g -> g.keys().stream()).mapToLong(k -> weights.get(k).byteSize()).sum();
                assertThat(net.hostDeviceBytes()).isEqualTo(residentBytes + groupBytes);
                // a second forward uploads the streamed groups again, once each
                net.run(inputs);
                assertThat(net.hostDeviceBytes()).isEqualTo(2 * (residentBytes + groupBytes));
            }
        }
        assertThat(MemoryModel.weightBytes(dit.parameters(), k -> streamed.stream().anyMatch(
                g -> k.startsWith(g + ".")), MemoryModel.FLOAT32_BYTES)).isPositive();
    }

    @Test
    void anUnknownGroupIsNamed() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        try (SafetensorsFile weights = checkpoint(dit, DType.BF16)) {
            assertThatThrownBy(() -> backend.load(dit, weights, Set.of("blocks.10")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'blocks.10'");
        }
    }
}
