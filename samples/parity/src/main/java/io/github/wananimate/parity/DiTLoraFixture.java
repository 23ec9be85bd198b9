package io.github.wananimate.parity;

import com.google.gson.JsonObject;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.lora.LoraAdapter;
import io.github.wananimate.weights.lora.LoraMergedSource;
import io.github.wananimate.weights.lora.LoraTargets;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fixture component {@code dit_lora} ({@code golden/lora_tiny}): the {@code dit} component with a LoRA merged into
 * the procedural weights at the fixture's {@code lora.strength}, checked against the Relighting LoRA's targets
 * ({@link LoraTargets#wanRelighting}: 12 Linears per block of the fixture's DiT). Every LoRA file of the folder
 * ({@code lora.safetensors}, {@code lora.ckpt}) is run; the first gives {@code output}, and each other one must
 * reproduce it (float32 rounding of a different merge order aside), otherwise the run fails naming the file.
 */
public final class DiTLoraFixture implements FixtureComponent {

    static final List<String> LORA_FILES = List.of("lora.safetensors", "lora.ckpt");

    @Override
    public String component() {
        return "dit_lora";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        double strength = 1.0;
        Double alpha = null; // the fixture's declared alpha is what the original merged with (W + alpha/r·B·A)
        if (fixture.json().has("lora")) {
            JsonObject lora = fixture.json().getAsJsonObject("lora");
            strength = lora.has("strength") ? lora.get("strength").getAsDouble() : strength;
            alpha = lora.has("alpha") ? lora.get("alpha").getAsDouble() : null;
        }
        // the fixture's LoRA adapts the original's target modules, so the official file's rule applies
        LoraTargets targets = LoraTargets.wanRelighting(DiTConfig.fromJson(fixture.config()).numLayers());
        Map<String, HostTensor> first = null;
        String firstFile = null;
        for (String name : LORA_FILES) {
            Path file = fixture.directory().resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            Map<String, HostTensor> outputs;
            try (ParameterSource weights = fixture.weights(); LoraAdapter lora = LoraAdapter.open(file, alpha)) {
                outputs = DiTFixture.run(fixture, backend, new LoraMergedSource(weights, lora, strength, targets));
            }
            if (first == null) {
                first = new LinkedHashMap<>(outputs);
                firstFile = name;
                continue;
            }
            for (Map.Entry<String, HostTensor> e : first.entrySet()) {
                double difference = relativeDifference(e.getValue(), outputs.get(e.getKey()));
                if (!(difference <= 1e-6)) {
                    throw new FixtureException(String.format(Locale.ROOT,
                            "LoRA %s and %s give different '%s': max |difference| / peak = %.3e", firstFile, name,
                            e.getKey(), difference));
                }
            }
        }
        if (first == null) {
            throw new FixtureException("fixture " + fixture.directory() + " holds none of the LoRA files " + LORA_FILES);
        }
        return first;
    }

    private static double relativeDifference(HostTensor a, HostTensor b) {
        FloatBuffer x = a.asFloatBuffer();
        FloatBuffer y = b.asFloatBuffer();
        double max = 0;
        double peak = 0;
        for (int i = 0; i < x.remaining(); i++) {
            max = Math.max(max, Math.abs(x.get(i) - y.get(i)));
            peak = Math.max(peak, Math.abs(x.get(i)));
        }
        return peak == 0 ? max : max / peak;
    }
}
