package io.github.wananimate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.github.wananimate.memory.MemoryBudgetException;
import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeDecoder;
import io.github.wananimate.nn.vae.VaeEncoder;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralFloat8;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.ForwardingBackend;
import io.github.wananimate.spi.ForwardingLoadedNetwork;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.video.Frame;
import io.github.wananimate.weights.Checkpoints;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end generations through the public API ({@link WanAnimate}) with the tiny procedural model
 * ({@link ProceduralModel#tiny}), run by each backend module on its own backend. The driving video has 6 frames of
 * 32×32 cut into 2 clips of 5 frames (r = 1), 2 DPM++ steps each; the reference has another size and is
 * letterboxed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class WanAnimateEndToEndTests {

    private static final int SIZE = 32;
    private static final int FRAMES = 6;
    private static final int CLIP_LENGTH = 5;
    private static final int STEPS = 2;

    private final ProceduralModel model = ProceduralModel.tiny(7);
    private WanAnimate wan;

    /** The backend under test. */
    protected abstract String backendName();

    @BeforeAll
    void open() {
        wan = WanAnimate.builder()
                .dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights())
                .clip(model.clip(), model.clipWeights())
                .relightingLora(model.relightingLora(4))
                .textEncoder(model.textEncoder())
                .backend(backendName())
                .build();
    }

    @AfterAll
    void close() {
        if (wan != null) {
            wan.close();
        }
    }

    @Test
    void animationDeliversEveryFrameInOrderDeterministicallyWithProgress() {
        CollectingSink first = new CollectingSink();
        List<Progress> progress = new ArrayList<>();
        GenerationResult result = wan.animate(animation(11), first, p -> progress.add(p), null);

        assertThat(result.frameCount()).isEqualTo(FRAMES);
        assertThat(result.clipCount()).isEqualTo(2);
        assertThat(result.seed()).isEqualTo(11);
        assertThat(result.width()).isEqualTo(SIZE);
        assertThat(result.height()).isEqualTo(SIZE);
        assertThat(first.indices).containsExactlyElementsOf(IntStream.range(0, FRAMES).boxed().toList());
        assertThat(first.frames).extracting(Frame::width, Frame::height).containsOnly(tuple(SIZE, SIZE));
        assertThat(first.finished).isTrue();
        assertThat(first.closed).isTrue();
        // A real picture-like output: not one flat colour, and the frames are not all the same.
        assertThat(distinctSamples(first.frames.get(0))).isGreaterThan(16);
        assertThat(first.frames.get(0)).isNotEqualTo(first.frames.get(FRAMES - 1));

        CollectingSink second = new CollectingSink();
        wan.animate(animation(11), second);
        assertThat(second.frames).as("same seed, same frames").isEqualTo(first.frames);

        assertThat(progress.get(0).stage()).isEqualTo(Progress.Stage.PREPARING);
        assertThat(progress.get(progress.size() - 1).stage()).isEqualTo(Progress.Stage.FINISHED);
        assertThat(progress.get(progress.size() - 1).fraction()).isEqualTo(1.0);
        List<Progress> steps = progress.stream().filter(p -> p.stage() == Progress.Stage.DENOISING).toList();
        assertThat(steps).hasSize(2 * STEPS);
        assertThat(steps).extracting(Progress::completedSteps).containsExactly(1, 2, 3, 4);
        assertThat(steps).allSatisfy(p -> assertThat(p.remaining()).isPresent());
        assertThat(progress).filteredOn(p -> p.stage() == Progress.Stage.DECODING).hasSize(2);
    }

    @Test
    void replacementRunsWithAndWithoutTheRelightingLora() {
        CollectingSink plain = new CollectingSink();
        GenerationResult result = wan.replace(replacement(5, false), plain);
        CollectingSink relit = new CollectingSink();
        wan.replace(replacement(5, true), relit);

        assertThat(result.frameCount()).isEqualTo(FRAMES);
        assertThat(plain.indices).containsExactlyElementsOf(IntStream.range(0, FRAMES).boxed().toList());
        assertThat(relit.indices).containsExactlyElementsOf(plain.indices);
        assertThat(relit.frames).as("the LoRA changes the DiT").isNotEqualTo(plain.frames);
    }

    @Test
    void listenerCancelsBetweenSteps() {
        CollectingSink sink = new CollectingSink();
        List<Progress> progress = new ArrayList<>();
        assertThatThrownBy(() -> wan.animate(animation(3), sink, p -> {
            progress.add(p);
            return !(p.stage() == Progress.Stage.DENOISING && p.step() == 1);
        }, null)).isInstanceOf(GenerationCancelledException.class).hasMessageContaining("clip 0, step 1");

        assertThat(progress.get(progress.size() - 1).stage()).isEqualTo(Progress.Stage.DENOISING);
        assertThat(progress.get(progress.size() - 1).step()).isEqualTo(1);
        assertThat(sink.indices).isEmpty();
        assertThat(sink.finished).isFalse();
        assertThat(sink.closed).isTrue();
    }

    @Test
    void tokenCancelledFromTheListenerStopsBeforeTheNextModelCall() {
        CancellationToken token = new CancellationToken();
        List<Progress> progress = new ArrayList<>();
        CollectingSink sink = new CollectingSink();
        assertThatThrownBy(() -> wan.animate(animation(3), sink, p -> {
            progress.add(p);
            if (p.stage() == Progress.Stage.DENOISING && p.clip() == 1) {
                token.cancel("user pressed stop");
            }
            return true;
        }, token)).isInstanceOf(GenerationCancelledException.class).hasMessage("user pressed stop");
        assertThat(progress).filteredOn(p -> p.stage() == Progress.Stage.DENOISING && p.clip() == 1).hasSize(1);
        assertThat(sink.indices).as("clip 0 was delivered").containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void failingSinkStopsTheGenerationNamingTheFrame() {
        CollectingSink sink = new CollectingSink();
        sink.failAt = 2;
        assertThatThrownBy(() -> wan.animate(animation(3), sink))
                .isInstanceOf(FrameSinkException.class)
                .hasMessageContaining("output frame 2")
                .hasMessageContaining("disk full")
                .hasCauseInstanceOf(IOException.class)
                .satisfies(e -> assertThat(((FrameSinkException) e).frameIndex()).isEqualTo(2));
        assertThat(sink.indices).containsExactly(0, 1);
        assertThat(sink.finished).isFalse();
        assertThat(sink.closed).isTrue();
    }

    @Test
    void aMemoryBudgetStreamsBlocksForTheSameFramesAndOneTooSmallIsRefusedNamingTheMinimum() {
        ResidencyPlan all = MemoryModel.planBudgetedGeneration(new WanAnimateDiT(model.dit()), model.vae(),
                model.clip(), SIZE, SIZE, CLIP_LENGTH, Long.MAX_VALUE);
        long budget = all.minimumBudgetBytes() + 1;   // every block streamed
        CollectingSink resident = new CollectingSink();
        wan.animate(animation(11), resident);
        try (WanAnimate streamed = budgeted(budget)) {
            CollectingSink sink = new CollectingSink();
            streamed.animate(animation(11), sink);
            assertThat(sink.frames).as("streamed blocks, same frames").isEqualTo(resident.frames);
        }
        assertThatThrownBy(() -> budgeted(1 << 20)).isInstanceOf(MemoryBudgetException.class)
                .hasMessageContaining("1.00 MiB").hasMessageContaining("needs at least");
    }

    @Test
    void aBudgetThatNeedsStreamingIsRefusedOnABackendThatCannotStream() {
        ResidencyPlan all = MemoryModel.planBudgetedGeneration(new WanAnimateDiT(model.dit()), model.vae(),
                model.clip(), SIZE, SIZE, CLIP_LENGTH, Long.MAX_VALUE);
        try (Backend residentOnly = new ForwardingBackend(Backends.byName(backendName()).open(BackendOptions.cpu())) {
            @Override
            public boolean streamsParameterGroups() {
                return false;
            }
        }) {
            assertThatThrownBy(() -> {
                try (WanAnimate streamed = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                        .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                        .textEncoder(model.textEncoder()).backend(residentOnly)
                        .deviceMemoryBudget(all.minimumBudgetBytes() + 1).build()) {
                    streamed.animate(animation(11), new CollectingSink());
                }
            }).isInstanceOf(MemoryBudgetException.class).hasMessageContaining("cannot do")
                    .hasMessageContaining("everything resident needs");
        }
    }

    @Test
    void aFloat8DiTUnderABudgetIsCountedAtItsOneByteCodes(@TempDir Path dir) {
        WanAnimateDiT dit = new WanAnimateDiT(model.dit());
        Path file = dir.resolve("dit.fp8_e4m3fn_scaled.safetensors");
        ProceduralFloat8.write(dit, ProceduralFloat8.Layout.SCALED_E4M3, "", 7, DType.F32, file, null);
        try (ParameterSource fp8 = KeyMappings.toOfficial(Checkpoints.open(file));
                Backend residentOnly = new ForwardingBackend(Backends.byName(backendName())
                        .open(BackendOptions.cpu())) {
                    @Override
                    public boolean streamsParameterGroups() {
                        return false;
                    }
                }) {
            assertThat(residentOnly.keepsFloat8Codes()).isTrue();
            Predicate<String> codes = key -> fp8.contains(key) && fp8.float8(key).isPresent();
            long float8Count = MemoryModel.planBudgetedGeneration(dit, model.vae(), model.clip(), SIZE, SIZE,
                    CLIP_LENGTH, Long.MAX_VALUE, key -> codes.test(key) ? MemoryModel.FLOAT8_BYTES
                            : residentOnly.heldBytesPerElement(DType.F32)).allResidentBytes();
            long float32Count = MemoryModel.planBudgetedGeneration(dit, model.vae(), model.clip(), SIZE, SIZE,
                    CLIP_LENGTH, Long.MAX_VALUE).allResidentBytes();
            assertThat(float8Count).isLessThan(float32Count);
            // a budget that holds the float8 DiT whole needs no streaming, on a backend that could not stream
            try (WanAnimate wan8 = WanAnimate.builder().dit(model.dit(), fp8).vae(model.vae(), model.vaeWeights())
                    .clip(model.clip(), model.clipWeights()).textEncoder(model.textEncoder()).backend(residentOnly)
                    .deviceMemoryBudget(float8Count).build()) {
                CollectingSink sink = new CollectingSink();
                wan8.animate(animation(11), sink);
                assertThat(sink.frames).hasSize(FRAMES);
            }
        }
    }

    @Test
    void aReducedPrecisionDiTUnderABudgetIsCountedAtTheWidthTheBackendHoldsIt() {
        // the smallest generation (16×16, one 5-frame clip) is what build() checks a budget against
        WanAnimateDiT dit = new WanAnimateDiT(model.dit(), false, Precision.FP16);
        try (Backend residentOnly = new ForwardingBackend(Backends.byName(backendName()).open(BackendOptions.cpu())) {
            @Override
            public boolean streamsParameterGroups() {
                return false;
            }
        }) {
            Map<String, DType> stored = new LinkedHashMap<>();
            dit.parameters().forEach(spec -> stored.put(spec.key(), spec.dtype()));
            assertThat(stored).containsValue(DType.F16);
            long held = MemoryModel.planBudgetedGeneration(dit, model.vae(), model.clip(), 16, 16, 5, Long.MAX_VALUE,
                    key -> residentOnly.heldBytesPerElement(stored.get(key))).allResidentBytes();
            long float32 = MemoryModel.planBudgetedGeneration(dit, model.vae(), model.clip(), 16, 16, 5,
                    Long.MAX_VALUE).allResidentBytes();
            assertThat(held < float32).isEqualTo(residentOnly.heldBytesPerElement(DType.F16) < Float.BYTES);
            WanAnimate.Builder builder = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                    .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                    .textEncoder(model.textEncoder()).backend(residentOnly).precision(Precision.FP16);
            try (WanAnimate fits = builder.deviceMemoryBudget(held).build()) {
                assertThat(fits.precision()).isEqualTo(Precision.FP16);
            }
            assertThatThrownBy(() -> builder.deviceMemoryBudget(held - 1).build())
                    .isInstanceOfSatisfying(MemoryBudgetException.class,
                            e -> assertThat(e.minimumBytes()).isEqualTo(held));
        }
    }

    @Test
    void underABudgetThatCannotHoldAWholeFrameDecodeEachClipIsDecodedInTiles() {
        int size = 144; // 18 × 18 latent pixels: two tiles of 16 each way
        WanAnimateDiT dit = new WanAnimateDiT(model.dit());
        ResidencyPlan whole = MemoryModel.planBudgetedGeneration(dit, model.vae(), model.clip(), size, size,
                CLIP_LENGTH, Long.MAX_VALUE);
        assertThat(whole.activationBytes()).isEqualTo(MemoryModel.vaeOnDemandBytes(model.vae(), size, size));
        long budget = whole.minimumBudgetBytes() - 1;
        assertThat(MemoryModel.vaeDecodeTiling(dit, model.vae(), model.clip(), size, size, CLIP_LENGTH, budget,
                key -> MemoryModel.FLOAT32_BYTES, MemoryModel.FLOAT32_BYTES))
                .isEqualTo(new VaeTiling(VaeTiling.MIN_TILE));
        List<long[]> decoded = new ArrayList<>();
        Backend recording = new ForwardingBackend(Backends.byName(backendName()).open(BackendOptions.cpu())) {
            @Override
            protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
                if (!(network instanceof VaeDecoder)) {
                    return loaded;
                }
                return new ForwardingLoadedNetwork(loaded) {
                    @Override
                    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
                            Predicate<String> keepOnDevice) {
                        decoded.add(inputs.get(VaeDecoder.INPUT_LATENT).shape());
                        return super.run(inputs, deviceInputs, keepOnDevice);
                    }

                    @Override
                    public RunOutputs runConsuming(Map<String, HostTensor> inputs,
                            Map<String, DeviceTensor> consumed, Predicate<String> keepOnDevice) {
                        decoded.add(inputs.get(VaeDecoder.INPUT_LATENT).shape());
                        return super.runConsuming(inputs, consumed, keepOnDevice);
                    }
                };
            }
        };
        CollectingSink sink = new CollectingSink();
        try (WanAnimate tiled = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder()).backend(recording).deviceMemoryBudget(budget).build()) {
            tiled.animate(AnimationRequest.builder(signals(false, FRAMES, size)).clipLength(CLIP_LENGTH)
                    .continuationFrames(1).steps(STEPS).seed(11).build(), sink);
        } finally {
            recording.close();
        }
        assertThat(sink.frames).hasSize(FRAMES);
        assertThat(sink.frames.get(0).width()).isEqualTo(size);
        // 2 clips × 4 tiles × 2 latent frames, each 16 × 16 latent pixels
        assertThat(decoded).hasSize(16).allSatisfy(shape -> assertThat(shape).endsWith(16, 16));
    }

    @Test
    void underABudgetTheClipTowerAndTheVaeAreBoundOnlyWhileTheyEncodeOrDecode() {
        ResidencyPlan all = MemoryModel.planBudgetedGeneration(new WanAnimateDiT(model.dit()), model.vae(),
                model.clip(), SIZE, SIZE, CLIP_LENGTH, Long.MAX_VALUE);
        CollectingSink unbudgeted = new CollectingSink();
        wan.animate(animation(11), unbudgeted);
        Backend inner = Backends.byName(backendName()).open(BackendOptions.cpu());
        List<String> events = new ArrayList<>();
        Backend counting = new ForwardingBackend(inner) {
            @Override
            protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
                events.add("bind " + network.name());
                return new ForwardingLoadedNetwork(loaded) {
                    @Override
                    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                        events.add("run " + network.name());
                        return super.run(inputs);
                    }

                    @Override
                    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> device,
                            Predicate<String> keep) {
                        events.add("run " + network.name());
                        return super.run(inputs, device, keep);
                    }

                    @Override
                    public RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> device,
                            Predicate<String> keep) {
                        events.add("run " + network.name());
                        return super.runConsuming(inputs, device, keep);
                    }

                    @Override
                    public void close() {
                        events.add("release " + network.name());
                        super.close();
                    }
                };
            }
        };
        String clip = new ClipVisionEncoder(model.clip()).name();
        String dit = new WanAnimateDiT(model.dit()).name();
        List<String> transients = List.of(clip, new VaeEncoder(model.vae()).name(),
                new VaeDecoder(model.vae()).name());
        try (WanAnimate budgeted = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder()).backend(counting).deviceMemoryBudget(all.allResidentBytes())
                .build()) {
            assertThat(events).as("not bound with the model").noneMatch(e -> transients.stream()
                    .anyMatch(t -> e.equals("bind " + t)));
            for (int generation = 0; generation < 2; generation++) {
                events.clear();
                CollectingSink sink = new CollectingSink();
                GenerationResult result = budgeted.animate(animation(11), sink);
                assertThat(sink.frames).as("same frames as without a budget").isEqualTo(unbudgeted.frames);
                List<String> clipEvents = events.stream().filter(e -> e.endsWith(" " + clip)).toList();
                assertThat(clipEvents).containsExactly("bind " + clip, "run " + clip, "release " + clip);
                assertThat(events.indexOf("release " + clip)).as("released before the first DiT step")
                        .isLessThan(events.indexOf("run " + dit));
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).equals("run " + dit)) {
                        List<String> before = events.subList(0, i);
                        for (String t : transients) {
                            assertThat(before.stream().filter(e -> e.equals("bind " + t)).count())
                                    .as(t + " released whenever the DiT runs")
                                    .isEqualTo(before.stream().filter(e -> e.equals("release " + t)).count());
                        }
                    }
                }
                assertThat(events).as("the VAE bound for the reference, then per clip to encode and to decode")
                        .filteredOn(e -> e.equals("bind " + transients.get(1))).hasSize(1 + 2 * result.clipCount());
            }
        } finally {
            counting.close();
        }
    }

    private WanAnimate budgeted(long budget) {
        return WanAnimate.builder().dit(model.dit(), model.ditWeights()).vae(model.vae(), model.vaeWeights())
                .clip(model.clip(), model.clipWeights()).textEncoder(model.textEncoder()).backend(backendName())
                .deviceMemoryBudget(budget).build();
    }

    /**
     * §3 of issue 10: between the steps of a clip only the latent, the timestep and the velocity cross between host
     * and device; text, CLIP feature, y, pose latents and face motion are uploaded once and read on the device.
     */
    @Test
    void theDiTReadsTheClipConditioningOnTheDeviceAndOnlyTheLatentCrossesPerStep() {
        List<Map<String, long[]>> hostInputs = new ArrayList<>();
        List<Map<String, DeviceTensor>> deviceInputs = new ArrayList<>();
        long[] outputElements = {0};
        Backend inner = Backends.byName(backendName()).open(BackendOptions.cpu());
        Backend recording = new ForwardingBackend(inner) {
            @Override
            protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
                if (!(network instanceof WanAnimateDiT)) {
                    return loaded;
                }
                return new ForwardingLoadedNetwork(loaded) {
                    @Override
                    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                        throw new AssertionError("the sampler ran the DiT with host inputs only");
                    }

                    @Override
                    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> device,
                            Predicate<String> keep) {
                        Map<String, long[]> shapes = new LinkedHashMap<>();
                        inputs.forEach((n, t) -> shapes.put(n, t.shape()));
                        hostInputs.add(shapes);
                        deviceInputs.add(Map.copyOf(device));
                        RunOutputs out = super.run(inputs, device, keep);
                        outputElements[0] = out.host().get(WanAnimateDiT.OUTPUT).elementCount();
                        return out;
                    }
                };
            }
        };
        try (WanAnimate viaRecording = WanAnimate.builder()
                .dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights())
                .clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder())
                .backend(recording)
                .build()) {
            viaRecording.animate(AnimationRequest.builder(signals(false)).seed(3).steps(STEPS).clipLength(CLIP_LENGTH)
                    .guideScale(2.0).build(), new CollectingSink(), null, null);
        } finally {
            recording.close();
        }
        // 2 clips × 2 steps × (conditional + unconditional)
        assertThat(hostInputs).hasSize(8).allSatisfy(in -> assertThat(in.keySet())
                .containsExactlyInAnyOrder(WanAnimateDiT.X, WanAnimateDiT.TIMESTEP_SINUSOID));
        assertThat(deviceInputs).allSatisfy(in -> assertThat(in.keySet()).containsExactlyInAnyOrder(
                WanAnimateDiT.Y, WanAnimateDiT.CONTEXT, WanAnimateDiT.CLIP_FEA, WanAnimateDiT.POSE_LATENTS,
                WanAnimateDiT.FACE_MOTION));
        for (int clip = 0; clip < 2; clip++) {
            Map<String, DeviceTensor> first = deviceInputs.get(4 * clip);
            for (int call = 4 * clip; call < 4 * clip + 4; call++) {
                Map<String, DeviceTensor> in = deviceInputs.get(call);
                // the same handles at every step of a clip; y and pose latents shared by both guidance passes
                assertThat(in.get(WanAnimateDiT.Y)).isSameAs(first.get(WanAnimateDiT.Y));
                assertThat(in.get(WanAnimateDiT.POSE_LATENTS)).isSameAs(first.get(WanAnimateDiT.POSE_LATENTS));
                assertThat(in.get(WanAnimateDiT.CLIP_FEA)).isSameAs(deviceInputs.get(0).get(WanAnimateDiT.CLIP_FEA));
                assertThat(in.get(WanAnimateDiT.CONTEXT)).isSameAs(deviceInputs.get(call % 2).get(WanAnimateDiT.CONTEXT));
            }
        }
        assertThat(deviceInputs).allSatisfy(in -> assertThat(in.values()).noneMatch(DeviceTensor::isOpen));
        long perStepNow = 4 * (hostInputs.get(0).values().stream().mapToLong(Shapes::elementCount).sum()
                + outputElements[0]);
        long perStepBefore = perStepNow + 4 * deviceInputs.get(0).values().stream()
                .mapToLong(t -> Shapes.elementCount(t.shape())).sum();
        System.out.printf(Locale.ROOT, "%s: DiT host<->device bytes per step %d (conditioning uploaded every step: %d)%n",
                backendName(), perStepNow, perStepBefore);
        assertThat(perStepNow).isLessThan(perStepBefore);
    }

    @Test
    void replacementLoraWithoutLoraWeightsIsAClearError() {
        try (WanAnimate noLora = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder()).backend(backendName()).build()) {
            CollectingSink sink = new CollectingSink();
            assertThatThrownBy(() -> noLora.replace(replacement(1, true), sink))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Relighting LoRA");
            assertThat(sink.closed).isTrue();
        }
    }

    @Test
    void refert5WithClipsShorterThan2rPlus1RunsAsTheOriginalThenContinues() {
        // L = 9 < 2·5 + 1. 13 frames are two clips, which the original runs; 17 frames need a third clip, where the
        // original fails (the second clip keeps only 4 frames) and the carried frames are the last 5 generated.
        CollectingSink two = new CollectingSink();
        GenerationResult r2 = wan.animate(refert5(13), two);
        CollectingSink three = new CollectingSink();
        GenerationResult r3 = wan.animate(refert5(17), three);

        assertThat(r2.clipCount()).isEqualTo(2);
        assertThat(r3.clipCount()).isEqualTo(3);
        assertThat(three.indices).containsExactlyElementsOf(IntStream.range(0, 17).boxed().toList());
        assertThat(three.frames.subList(0, 13)).as("the first two clips do not depend on the third")
                .isEqualTo(two.frames);
        assertThat(distinctSamples(three.frames.get(16))).isGreaterThan(16);
    }

    private static AnimationRequest refert5(int frames) {
        return AnimationRequest.builder(signals(false, frames, SIZE)).clipLength(9).continuationFrames(5).steps(1).seed(3)
                .build();
    }

    private AnimationRequest animation(long seed) {
        return AnimationRequest.builder(signals(false)).clipLength(CLIP_LENGTH).continuationFrames(1).steps(STEPS)
                .seed(seed).build();
    }

    private ReplacementRequest replacement(long seed, boolean lora) {
        return ReplacementRequest.builder(signals(true)).clipLength(CLIP_LENGTH).continuationFrames(1).steps(STEPS)
                .seed(seed).relightingLora(lora).build();
    }

    /** Procedural driving signals: pose, faces, a 40×24 reference, and for replacement a box mask and background. */
    static MotionSignals signals(boolean replacement) {
        return signals(replacement, FRAMES, SIZE);
    }

    /** {@link #signals(boolean)} with {@code frames} driving frames of {@code size}×{@code size} (at least 32). */
    static MotionSignals signals(boolean replacement, int frames, int size) {
        List<Frame> pose = new ArrayList<>();
        List<Frame> face = new ArrayList<>();
        List<Frame> mask = new ArrayList<>();
        List<Frame> background = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            pose.add(procedural("pose." + i, size, size));
            face.add(procedural("face." + i, MotionSignals.FACE_SIZE, MotionSignals.FACE_SIZE));
            background.add(procedural("background." + i, size, size));
            byte[] m = new byte[3 * size * size];
            for (int y = 4 + i; y < Math.min(24 + i, size); y++) {
                for (int x = 8; x < 24; x++) {
                    m[3 * (y * size + x)] = (byte) 255;
                }
            }
            mask.add(Frame.ofRgb(size, size, m));
        }
        MotionSignals.Builder b = MotionSignals.builder().pose(pose).face(face)
                .reference(procedural("reference", 40, 24));
        if (replacement) {
            b.mask(mask).background(background);
        }
        return b.build();
    }

    private static Frame procedural(String name, int width, int height) {
        byte[] rgb = new byte[3 * width * height];
        long key = Procedural.fnv1a64(name);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (int) ((Procedural.uniform(key, i) + 1) * 127.5);
        }
        return Frame.ofRgb(width, height, rgb);
    }

    static long distinctSamples(Frame frame) {
        byte[] rgb = frame.toRgbBytes();
        return IntStream.range(0, rgb.length).map(i -> rgb[i] & 0xff).distinct().count();
    }

    /** Collects frames and records the sink's lifecycle; optionally fails on one frame. */
    static final class CollectingSink implements FrameSink {
        final List<Integer> indices = new ArrayList<>();
        final List<Frame> frames = new ArrayList<>();
        int failAt = -1;
        boolean finished;
        boolean closed;

        @Override
        public void accept(int index, Frame frame) throws IOException {
            if (index == failAt) {
                throw new IOException("disk full");
            }
            indices.add(index);
            frames.add(frame);
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
