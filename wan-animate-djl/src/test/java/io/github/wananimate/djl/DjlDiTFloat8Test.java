package io.github.wananimate.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import io.github.wananimate.nn.DiTFloat8Test;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.spi.LoadedNetwork;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A float8 DiT checkpoint on the djl backend, CPU, resident and streamed. */
class DjlDiTFloat8Test extends DiTFloat8Test {

    @Override
    protected String backendName() {
        return "djl";
    }

    /** Uploaded as {@code UINT8} codes with their table; no float array of them. */
    @Override
    protected void assertHeldAsCodes(LoadedNetwork net, Set<ParameterSpec> float8Specs) {
        Set<String> keys = float8Specs.stream().map(ParameterSpec::key).collect(Collectors.toSet());
        Map<String, DeviceWeight> float8 = ((DjlLoadedNetwork) net).uploadedWeights().entrySet().stream()
                .filter(e -> keys.contains(e.getKey().replaceFirst("@.*", "")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(float8).isNotEmpty().allSatisfy((key, weight) -> {
            assertThat(weight.array().getDataType()).as(key).isEqualTo(DataType.UINT8);
            assertThat(weight.table()).as(key).isNotNull();
        });
    }
}
