package io.github.wananimate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.LambdaNetwork;
import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend's {@link DeviceTensor} and resident {@link LoadedNetwork#run(Map, Map, java.util.function.Predicate)}
 * must do: state fed back call after call gives the same values as the host path, handles are released
 * deterministically, misuse fails naming the input. A backend module subclasses it with its backend.
 */
public abstract class DeviceTensorContractTests {

    private static final long[] SHAPE = {2, 3};

    /** {@code state' = state·w + x}, {@code y = 2·state'}: one step of a recurrence that carries state. */
    private static final LambdaNetwork STEP = new LambdaNetwork("step",
            List.of(ParameterSpec.required("w", 2, 3)), (ops, in) -> {
                Tensor next = ops.add(ops.mul(in.get("state"), ops.parameter("w")), in.get("x"));
                Map<String, Tensor> out = new LinkedHashMap<>();
                out.put("y", ops.mul(next, 2.0));
                out.put("state_out", next);
                return out;
            });

    /** {@link #STEP} that declares its state dead once read, so a consuming run may free it mid-call. */
    private static final LambdaNetwork RELEASING_STEP = new LambdaNetwork("step",
            List.of(ParameterSpec.required("w", 2, 3)), (ops, in) -> {
                Tensor next = ops.add(ops.mul(in.get("state"), ops.parameter("w")), in.get("x"));
                ops.release(in.get("state"));
                Map<String, Tensor> out = new LinkedHashMap<>();
                out.put("y", ops.mul(next, 2.0));
                out.put("state_out", next);
                return out;
            });

    /** Hands its input back unchanged: a kept output that is also a device input. */
    private static final LambdaNetwork IDENTITY = new LambdaNetwork("identity", List.of(),
            (ops, in) -> Map.of("same", in.get("x")));

    private Backend backend;
    private LoadedNetwork step;

    /** A fresh backend of the module under test on the CPU. */
    protected abstract Backend openBackend();

    @BeforeEach
    void open() {
        backend = openBackend();
        step = backend.load(STEP, new MapParameterSource(Map.of("w",
                HostTensor.ofFloats(SHAPE, new float[] {0.5f, -1f, 0.25f, 2f, 1f, -0.5f}))));
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private static HostTensor x(int i) {
        float[] v = new float[6];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) Math.sin(i * 7 + k) * 3;
        }
        return HostTensor.ofFloats(SHAPE, v);
    }

    @Test
    void uploadRoundTripsAndClosesOnce() {
        DeviceTensor t = backend.upload(x(1));
        assertThat(t.shape()).containsExactly(SHAPE);
        assertThat(t.toHost().toFloatArray()).containsExactly(x(1).toFloatArray());
        assertThat(t.isOpen()).isTrue();
        t.close();
        t.close();
        assertThat(t.isOpen()).isFalse();
        assertThat(t.shape()).containsExactly(SHAPE);
        assertThatThrownBy(t::toHost).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void anUploadedInputAndAKeptOutputMatchTheHostPathBitForBit() {
        Map<String, HostTensor> viaHost = step.run(Map.of("x", x(1), "state", x(2)));
        try (DeviceTensor state = backend.upload(x(2));
                RunOutputs resident = step.run(Map.of("x", x(1)), Map.of("state", state), "state_out"::equals)) {
            assertThat(resident.host()).containsOnlyKeys("y");
            assertThat(resident.device()).containsOnlyKeys("state_out");
            assertThat(resident.hostOutput("y").toFloatArray()).containsExactly(viaHost.get("y").toFloatArray());
            assertThat(resident.device().get("state_out").toHost().toFloatArray())
                    .containsExactly(viaHost.get("state_out").toFloatArray());
            assertThat(state.isOpen()).isTrue();
        }
    }

    @Test
    void keptOutputsFeedTheNextCallAndCloseWithTheirRunOutputs() {
        HostTensor hostState = HostTensor.zeros(SHAPE);
        RunOutputs previous = step.run(Map.of("x", x(0), "state", hostState), Map.of(), "state_out"::equals);
        hostState = step.run(Map.of("x", x(0), "state", hostState)).get("state_out");
        for (int i = 1; i < 4; i++) {
            DeviceTensor carried = previous.device().get("state_out");
            RunOutputs next = step.run(Map.of("x", x(i)), Map.of("state", carried), "state_out"::equals);
            previous.close();
            assertThat(carried.isOpen()).isFalse();
            previous = next;
            hostState = step.run(Map.of("x", x(i), "state", hostState)).get("state_out");
            assertThat(previous.device().get("state_out").toHost().toFloatArray())
                    .containsExactly(hostState.toFloatArray());
        }
        previous.close();
        assertThat(previous.device().get("state_out").isOpen()).isFalse();
    }

    @Test
    void aConsumingRunClosesWhatItWasHandedAndComputesWhatALendingRunDoes() {
        try (LoadedNetwork releasing = backend.load(RELEASING_STEP, new MapParameterSource(Map.of("w",
                HostTensor.ofFloats(SHAPE, new float[] {0.5f, -1f, 0.25f, 2f, 1f, -0.5f}))))) {
            HostTensor hostState = HostTensor.zeros(SHAPE);
            RunOutputs previous = releasing.run(Map.of("x", x(0), "state", hostState), Map.of(), "state_out"::equals);
            hostState = step.run(Map.of("x", x(0), "state", hostState)).get("state_out");
            for (int i = 1; i < 4; i++) {
                DeviceTensor carried = previous.device().get("state_out");
                previous = releasing.runConsuming(Map.of("x", x(i)), Map.of("state", carried), "state_out"::equals);
                assertThat(carried.isOpen()).isFalse();
                hostState = step.run(Map.of("x", x(i), "state", hostState)).get("state_out");
                assertThat(previous.device().get("state_out").toHost().toFloatArray())
                        .containsExactly(hostState.toFloatArray());
            }
            DeviceTensor handed = previous.device().get("state_out");
            assertThatThrownBy(() -> releasing.runConsuming(Map.of("x", x(0), "state", x(0)),
                    Map.of("state", handed), n -> false)).isInstanceOf(IllegalArgumentException.class);
            assertThat(handed.isOpen()).as("closed also when the call fails").isFalse();
        }
    }

    @Test
    void anOutputThatIsADeviceInputIsAHandleOfItsOwn() {
        try (LoadedNetwork identity = backend.load(IDENTITY, new MapParameterSource(Map.of()))) {
            DeviceTensor in = backend.upload(x(3));
            RunOutputs out = identity.run(Map.of(), Map.of("x", in), name -> true);
            in.close();
            assertThat(out.device().get("same").toHost().toFloatArray()).containsExactly(x(3).toFloatArray());
            out.close();
        }
    }

    @Test
    void misuseFailsNamingTheInput() {
        DeviceTensor state = backend.upload(HostTensor.zeros(SHAPE));
        assertThatThrownBy(() -> step.run(Map.of("x", x(0), "state", x(0)), Map.of("state", state), n -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'state'");
        state.close();
        assertThatThrownBy(() -> step.run(Map.of("x", x(0)), Map.of("state", state), n -> false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'state'")
                .hasMessageContaining("closed");
    }

    @Test
    void aHandleOfAnotherKindIsReadThroughTheHost() {
        DeviceTensor foreign = DeviceTensor.onHost(x(2));
        Map<String, HostTensor> expected = step.run(Map.of("x", x(1), "state", x(2)));
        try (RunOutputs out = step.run(Map.of("x", x(1)), Map.of("state", foreign), n -> false)) {
            assertThat(out.device()).isEmpty();
            assertThat(out.hostOutput("state_out").toFloatArray())
                    .containsExactly(expected.get("state_out").toFloatArray());
        }
    }
}
