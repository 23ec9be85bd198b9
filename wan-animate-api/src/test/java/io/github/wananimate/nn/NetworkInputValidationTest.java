package io.github.wananimate.nn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeDecoder;
import io.github.wananimate.nn.vae.VaeEncoder;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Every network entry point refuses a missing or mis-shaped input with an exception that names the input and the
 * shape it got, before reading a single weight (the executor here fails on any parameter read).
 */
class NetworkInputValidationTest {

    private static final Ops NO_WEIGHTS = new RefOps(key -> {
        throw new AssertionError("weight '" + key + "' read before the inputs were checked");
    });

    private static AbstractThrowableAssert<?, ? extends Throwable> forwardFails(Network network,
            Map<String, HostTensor> inputs) {
        Map<String, Tensor> handles = new LinkedHashMap<>();
        inputs.forEach((name, value) -> handles.put(name, RefOps.of(value)));
        return assertThatThrownBy(() -> network.forward(NO_WEIGHTS, handles))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clipVisionEncoder() {
        ClipVisionEncoder clip = new ClipVisionEncoder(new ClipVisionConfig(224, 14, 64, 2, 3, 4, 32));
        forwardFails(clip, Map.of()).hasMessageContaining("'" + ClipVisionEncoder.INPUT + "'");
        forwardFails(clip, Map.of(ClipVisionEncoder.INPUT, HostTensor.zeros(3, 224, 224)))
                .hasMessageContaining("'" + ClipVisionEncoder.INPUT + "'").hasMessageContaining("[3, 224, 224]");
    }

    @Test
    void umt5Encoder() {
        UMT5Encoder t5 = new UMT5Encoder(new UMT5Config(256, 64, 64, 128, 2, 2, 32, 128));
        forwardFails(t5, Map.of()).hasMessageContaining("'" + UMT5Encoder.INPUT_EMBEDDINGS + "'");
        forwardFails(t5, Map.of(UMT5Encoder.INPUT_EMBEDDINGS, HostTensor.zeros(1, 9, 64)))
                .hasMessageContaining("'" + UMT5Encoder.INPUT_EMBEDDINGS + "'").hasMessageContaining("[1, 9, 64]");
        forwardFails(t5, Map.of(UMT5Encoder.INPUT_EMBEDDINGS, HostTensor.zeros(9, 64),
                UMT5Encoder.INPUT_KEY_MASK, HostTensor.zeros(8)))
                .hasMessageContaining("'" + UMT5Encoder.INPUT_KEY_MASK + "'").hasMessageContaining("[8]");
    }

    @Test
    void motionEncoder() {
        MotionEncoder encoder = new MotionEncoder("motion_encoder.");
        forwardFails(encoder, Map.of()).hasMessageContaining("'" + MotionEncoder.INPUT_FACES + "'");
        forwardFails(encoder, Map.of(MotionEncoder.INPUT_FACES, HostTensor.zeros(1, 3, 64, 64)))
                .hasMessageContaining("[1, 3, 64, 64]");
    }

    @Test
    void vaeEncoderAndDecoder() {
        VaeConfig config = VaeConfig.withDim(8);
        forwardFails(new VaeEncoder(config), Map.of()).hasMessageContaining("'" + VaeEncoder.INPUT_VIDEO + "'");
        forwardFails(new VaeEncoder(config), Map.of(VaeEncoder.INPUT_VIDEO, HostTensor.zeros(3, 5, 16, 16)))
                .hasMessageContaining("[3, 5, 16, 16]");
        forwardFails(new VaeEncoder(config), Map.of(VaeEncoder.INPUT_VIDEO, HostTensor.zeros(1, 3, 4, 16, 16)))
                .hasMessageContaining("4k+1").hasMessageContaining("got 4");
        forwardFails(new VaeDecoder(config), Map.of()).hasMessageContaining("'" + VaeDecoder.INPUT_LATENT + "'");
        forwardFails(new VaeDecoder(config), Map.of(VaeDecoder.INPUT_LATENT, HostTensor.zeros(1, 4, 2, 2, 2)))
                .hasMessageContaining("[1, 4, 2, 2, 2]");
    }

    @Test
    void wanAnimateDiT() {
        WanAnimateDiT dit = new WanAnimateDiT(new DiTConfig(128, 256, 256, 64, 32, 2, 5, 1e-6));
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        inputs.put(WanAnimateDiT.X, HostTensor.zeros(16, 2, 4));
        forwardFails(dit, inputs).hasMessageContaining("'" + WanAnimateDiT.Y + "'");
        for (String name : new String[] {WanAnimateDiT.Y, WanAnimateDiT.TIMESTEP_SINUSOID, WanAnimateDiT.CONTEXT,
            WanAnimateDiT.CLIP_FEA, WanAnimateDiT.POSE_LATENTS, WanAnimateDiT.FACE_PIXEL_VALUES}) {
            inputs.put(name, HostTensor.zeros(1));
        }
        forwardFails(dit, inputs).hasMessageContaining("'" + WanAnimateDiT.X + "'")
                .hasMessageContaining("[16, 2, 4]");
        inputs.put(WanAnimateDiT.X, HostTensor.zeros(16, 2, 4, 4));
        forwardFails(dit, inputs).hasMessageContaining("'" + WanAnimateDiT.Y + "'").hasMessageContaining("[1]");
    }
}
