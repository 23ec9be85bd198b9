package io.github.wananimate.parity;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code dit} ({@code golden/dit_tiny}): {@code WanAnimateModel} with the fixture's config,
 * procedural weights and inputs, called at the fixture's integer {@code timestep}. Outputs {@code output} and the
 * intermediates {@code motion}, {@code face_encoder_out}, {@code e0}, {@code block0_out},
 * {@code block0_after_face_adapter}.
 */
public final class DiTFixture implements FixtureComponent {

    @Override
    public String component() {
        return "dit";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        return run(fixture, backend, Precision.FP32);
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend, Precision precision) {
        try (ParameterSource weights = fixture.weights()) {
            return run(fixture, backend, weights, precision);
        }
    }

    /** Runs the DiT of {@code fixture} with {@code weights} (procedural, or a LoRA-merged view of them). */
    static Map<String, HostTensor> run(Fixture fixture, Backend backend, ParameterSource weights) {
        return run(fixture, backend, weights, Precision.FP32);
    }

    private static Map<String, HostTensor> run(Fixture fixture, Backend backend, ParameterSource weights,
            Precision precision) {
        DiTConfig config = DiTConfig.fromJson(fixture.config());
        WanAnimateDiT dit = new WanAnimateDiT(config, true, precision);
        if (!fixture.json().has("timestep")) {
            throw new FixtureException("fixture " + fixture.directory() + " names no \"timestep\"");
        }
        double timestep = fixture.json().get("timestep").getAsDouble();
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        inputs.put(WanAnimateDiT.X, fixture.input("input.x"));
        inputs.put(WanAnimateDiT.Y, fixture.input("input.y"));
        inputs.put(WanAnimateDiT.TIMESTEP_SINUSOID, WanAnimateDiT.timestepSinusoid(timestep, config.freqDim()));
        inputs.put(WanAnimateDiT.CONTEXT, fixture.input("input.context"));
        inputs.put(WanAnimateDiT.CLIP_FEA, fixture.input("input.clip_fea"));
        inputs.put(WanAnimateDiT.POSE_LATENTS, fixture.input("input.pose_latents"));
        inputs.put(WanAnimateDiT.FACE_PIXEL_VALUES, fixture.input("input.face_pixel_values"));
        try (LoadedNetwork loaded = backend.load(dit, weights)) {
            return loaded.run(inputs);
        }
    }
}
