package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralDiTInputs;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the onnx backend cuts a forward at streamed blocks, and that a streamed block's buffers leave with its run. */
class OnnxSegmentedForwardTest {

    private static final DiTConfig CONFIG = new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6);

    @TempDir
    Path dir;

    private static Map<String, Tensor> record(OnnxGraphRecorder recorder, WanAnimateDiT dit,
            Map<String, HostTensor> inputs) {
        Map<String, Tensor> symbolic = new LinkedHashMap<>();
        inputs.forEach((name, value) -> symbolic.put(name, recorder.input(name, value.shape())));
        Map<String, Tensor> outputs = dit.forward(recorder, RequiredInputs.of(dit.name(), symbolic));
        outputs.forEach(recorder::output);
        return outputs;
    }

    @Test
    void eachStreamedBlockIsASegmentAndResidentBlocksStayInLine() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(CONFIG, 3, 8, false);
        OnnxGraphRecorder recorder = new OnnxGraphRecorder(shapes::get, OnnxGraphRecorder.Options.defaults(), false,
                Set.of("blocks.3", "blocks.4", "blocks.9"));
        record(recorder, dit, inputs);
        SegmentedGraph graph = recorder.finishSegments(dit.name());
        // blocks 0-2 with the embeddings | 3 | 4 | 5-8 | 9 | head
        assertThat(graph.segments()).extracting(SegmentedGraph.Segment::streamedGroup)
                .containsExactly(null, "blocks.3", "blocks.4", null, "blocks.9", null);
        SegmentedGraph.Segment block4 = graph.segments().get(2);
        // a streamed block binds nothing: its weights are fed with each run, as the checkpoint stores them
        assertThat(block4.graph().parameters()).isEmpty();
        assertThat(block4.graph().fedParameters().values()).extracting(RecordedGraph.Fed::key)
                .allMatch(key -> key.startsWith("blocks.4.")).contains("blocks.4.self_attn.q.weight");
        assertThat(graph.segments().get(0).graph().parameters().values()).noneMatch(key -> key.startsWith("blocks.3."))
                .contains("blocks.0.self_attn.q.weight");
        // so blocks of one shape are one model, and run in one session
        assertThat(graph.segments().get(1).graph().model()).isEqualTo(block4.graph().model())
                .isEqualTo(graph.segments().get(4).graph().model());
        assertThat(block4.graph().inputNames().keySet()).isNotEqualTo(graph.segments().get(1).graph().inputNames()
                .keySet());
        assertThat(graph.outputNames()).containsKey(WanAnimateDiT.OUTPUT);
    }

    @Test
    void aCutRecordingIsNotOneGraph() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        OnnxGraphRecorder recorder = new OnnxGraphRecorder(shapes::get, OnnxGraphRecorder.Options.defaults(), false,
                Set.of("blocks.5"));
        record(recorder, dit, ProceduralDiTInputs.of(CONFIG, 3, 8, false));
        assertThatThrownBy(() -> recorder.finish(dit.name())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("finishSegments");
    }

    @Test
    void aStreamedBlocksConvertedWeightsAreFreedAfterItsRunAndTheRestAtClose() {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        Path file = dir.resolve("dit.bf16.safetensors");
        SafetensorsWriter.write(file, shapes, DType.BF16, key -> ProceduralWeights.values(key, shapes.get(key), 7));
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(CONFIG, 3, 8, false);
        long before = DirectBuffers.outstandingBytes();
        try (OnnxBackend backend = new OnnxBackend(BackendOptions.cpu());
                SafetensorsFile weights = SafetensorsFile.open(file)) {
            long residentAfterFirst;
            try (LoadedNetwork net = backend.load(dit, weights, Set.of("blocks.2", "blocks.7"))) {
                net.run(inputs);
                residentAfterFirst = DirectBuffers.outstandingBytes() - before;
                // blocks 0-1 | 2 | 3-6 | 7 | 8-9 and head: three resident segments and one session for both blocks
                assertThat(((OnnxLoadedNetwork) net).sessionsCreated()).isEqualTo(4);
                net.run(inputs);
                assertThat(DirectBuffers.outstandingBytes() - before).as("after a second forward")
                        .isEqualTo(residentAfterFirst);
                assertThat(((OnnxLoadedNetwork) net).sessionsCreated()).as("after a second forward").isEqualTo(4);
            }
            assertThat(DirectBuffers.outstandingBytes()).as("after close").isEqualTo(before);
            long blockFloats = List.of("blocks.2.ffn.0.weight", "blocks.2.self_attn.q.weight").stream()
                    .mapToLong(k -> weights.get(k).elementCount()).sum();
            try (LoadedNetwork all = backend.load(dit, weights)) {
                all.run(inputs);
                assertThat(DirectBuffers.outstandingBytes() - before).as("everything resident holds two blocks more")
                        .isGreaterThan(residentAfterFirst + 2 * blockFloats * Float.BYTES);
            }
        }
    }
}
