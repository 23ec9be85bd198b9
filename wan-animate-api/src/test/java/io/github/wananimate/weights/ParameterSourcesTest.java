package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParameterSourcesTest {

    private final MapParameterSource base = new MapParameterSource(Map.of(
            "a", HostTensor.ofFloats(new long[] {2}, new float[] {1, 2}),
            "table", HostTensor.zeros(4, 3)));

    @Test
    void derivedTensorsJoinTheBaseKeys() {
        HostTensor q = HostTensor.ofFloats(new long[] {1, 1}, new float[] {7});
        ParameterSource view = ParameterSources.withDerived(base, Map.of("q", q));

        assertThat(view.keys()).containsExactlyInAnyOrder("a", "table", "q");
        assertThat(view.shape("q")).containsExactly(1, 1);
        assertThat(view.get("q")).isSameAs(q);
        assertThat(view.get("a").toFloatArray()).containsExactly(1, 2);
        assertThatThrownBy(() -> view.get("nope")).isInstanceOf(WeightException.class).hasMessageContaining("'nope'");
    }

    @Test
    void hiddenKeysVanishAndNameTheReasonWhenRead() {
        ParameterSource view = ParameterSources.without(base, Set.of("table"), "read on the host, not bound");

        assertThat(view.keys()).containsExactly("a");
        assertThat(view.get("a").toFloatArray()).containsExactly(1, 2);
        assertThatThrownBy(() -> view.get("table")).isInstanceOf(WeightException.class)
                .hasMessageContaining("'table'").hasMessageContaining("read on the host");
        assertThatThrownBy(() -> view.shape("table")).isInstanceOf(WeightException.class);
    }
}
