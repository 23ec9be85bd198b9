package io.github.wananimate.nn.vae;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.weights.PytorchCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Binds the VAE (dim-8 config) to {@code golden/format_samples/Wan2.1_VAE.pth}, a real {@code torch.save} file:
 * every key of the file is read by the encoder or the decoder, with the expected shape and the procedural values.
 */
class VaeCheckpointTest {

    private static final VaeConfig CONFIG = VaeConfig.withDim(8);

    private static Path golden(String relative) throws Exception {
        return Path.of(VaeCheckpointTest.class.getResource("/golden/format_samples/" + relative).toURI());
    }

    @Test
    void everyKeyOfTheTorchSaveFileBindsToEncoderOrDecoder() throws Exception {
        try (PytorchCheckpoint checkpoint = PytorchCheckpoint.open(golden("Wan2.1_VAE.pth"))) {
            WanVae.validate(checkpoint, CONFIG);
            ParameterBinding.validateAndPrepare(new VaeEncoder(CONFIG), checkpoint);
            ParameterBinding.validateAndPrepare(new VaeDecoder(CONFIG), checkpoint);

            Map<String, String> ours = new LinkedHashMap<>();
            for (ParameterSpec spec : WanVae.parameters(CONFIG)) {
                ours.put(spec.key(), Arrays.toString(spec.shape()));
            }
            assertThat(new TreeSet<>(checkpoint.keys())).isEqualTo(new TreeSet<>(ours.keySet()));
            assertThat(ours).containsExactlyInAnyOrderEntriesOf(declaredShapes());

            for (ParameterSpec spec : WanVae.parameters(CONFIG)) {
                assertThat(checkpoint.dtype(spec.key())).as(spec.key()).isEqualTo(DType.F32);
                assertThat(checkpoint.get(spec.key()).toFloatArray()).as(spec.key())
                        .containsExactly(ProceduralWeights.values(spec.key(), spec.shape(), 0));
            }
        }
    }

    /** The {@code vae_weights} list of format_samples/fixture.json. */
    private static Map<String, String> declaredShapes() throws Exception {
        Map<String, String> shapes = new LinkedHashMap<>();
        JsonArray list = JsonParser.parseString(Files.readString(golden("fixture.json"))).getAsJsonObject()
                .getAsJsonArray("vae_weights");
        for (JsonElement entry : list) {
            JsonArray pair = entry.getAsJsonArray();
            long[] dims = new long[pair.get(1).getAsJsonArray().size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = pair.get(1).getAsJsonArray().get(i).getAsLong();
            }
            shapes.put(pair.get(0).getAsString(), Arrays.toString(dims));
        }
        return shapes;
    }
}
