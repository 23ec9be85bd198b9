package io.github.wananimate.parity;

import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code motion_encoder} ({@code golden/motion_encoder}): the motion encoder with keys as inside
 * the DiT checkpoint, fed {@code input.face_pixel_values}; outputs {@code motion}, {@code motion_features} and the
 * host-side {@code direction_q}.
 */
public final class MotionEncoderFixture implements FixtureComponent {

    static final String PREFIX = "motion_encoder.";
    static final String INPUT = "input.face_pixel_values";

    @Override
    public String component() {
        return "motion_encoder";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        MotionEncoder encoder = new MotionEncoder(PREFIX);
        ProceduralWeights weights = fixture.weights();
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        try (LoadedNetwork loaded = backend.load(encoder, weights)) {
            Map<String, HostTensor> result = loaded.run(Map.of(MotionEncoder.INPUT_FACES, fixture.input(INPUT)));
            outputs.put("motion", result.get(MotionEncoder.OUTPUT_MOTION));
            outputs.put("motion_features", result.get(MotionEncoder.OUTPUT_MOTION_FEATURES));
        }
        ParameterSource prepared = encoder.prepare(weights);
        outputs.put("direction_q", prepared.get(encoder.directionQKey()));
        return outputs;
    }
}
