package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.DiTFloat8Test;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.spi.LoadedNetwork;
import java.util.Set;
import java.util.stream.Collectors;

/** A float8 DiT checkpoint on the onnx backend, CPU, resident and streamed. */
class OnnxDiTFloat8Test extends DiTFloat8Test {

    @Override
    protected String backendName() {
        return "onnx";
    }

    /** Fed as graph inputs of their codes; none bound as a tensor of dequantised values. */
    @Override
    protected void assertHeldAsCodes(LoadedNetwork net, Set<ParameterSpec> float8Specs) {
        OnnxLoadedNetwork onnx = (OnnxLoadedNetwork) net;
        Set<String> keys = float8Specs.stream().map(ParameterSpec::key).collect(Collectors.toSet());
        assertThat(onnx.float8FedKeys()).isNotEmpty().isSubsetOf(keys);
        assertThat(onnx.boundParameterKeys()).noneMatch(k -> keys.contains(k.replaceFirst("@.*", "")));
    }
}
