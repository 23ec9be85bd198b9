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
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.Checkpoints;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            VaeWeights.validate(checkpoint, CONFIG);
            ParameterBinding.validateAndPrepare(new VaeEncoder(CONFIG), checkpoint);
            ParameterBinding.validateAndPrepare(new VaeDecoder(CONFIG), checkpoint);

            Map<String, String> ours = new LinkedHashMap<>();
            for (ParameterSpec spec : VaeWeights.parameters(CONFIG)) {
                ours.put(spec.key(), Arrays.toString(spec.shape()));
            }
            assertThat(new TreeSet<>(checkpoint.keys())).isEqualTo(new TreeSet<>(ours.keySet()));
            assertThat(ours).containsExactlyInAnyOrderEntriesOf(declaredShapes());

            for (ParameterSpec spec : VaeWeights.parameters(CONFIG)) {
                assertThat(checkpoint.dtype(spec.key())).as(spec.key()).isEqualTo(DType.F32);
                assertThat(checkpoint.get(spec.key()).toFloatArray()).as(spec.key())
                        .containsExactly(ProceduralWeights.values(spec.key(), spec.shape(), 0));
            }
        }
    }

    @Test
    void safetensorsRepacksWithOfficialOrDiffusersNamesBindAfterKeyMapping(@TempDir Path dir) {
        Map<String, HostTensor> official = new LinkedHashMap<>();
        Map<String, HostTensor> diffusers = new LinkedHashMap<>();
        for (ParameterSpec spec : VaeWeights.parameters(CONFIG)) {
            HostTensor value = HostTensor.ofFloats(spec.shape(), ProceduralWeights.values(spec.key(), spec.shape(), 0));
            official.put(spec.key(), value);
            diffusers.put(diffusersName(spec.key()), value);
        }
        assertThat(diffusers).hasSameSizeAs(official);
        SafetensorsWriter.write(dir.resolve("wan_2.1_vae.safetensors"), official, Map.of());
        SafetensorsWriter.write(dir.resolve("diffusion_pytorch_model.safetensors"), diffusers, Map.of());

        for (String file : new String[] {"wan_2.1_vae.safetensors", "diffusion_pytorch_model.safetensors"}) {
            try (ParameterSource stored = Checkpoints.open(dir.resolve(file))) {
                ParameterSource weights = KeyMappings.toOfficial(stored);
                VaeWeights.validate(weights, CONFIG);
                for (ParameterSpec spec : VaeWeights.parameters(CONFIG)) {
                    assertThat(weights.get(spec.key()).toFloatArray()).as(file + " " + spec.key())
                            .containsExactly(official.get(spec.key()).toFloatArray());
                }
            }
        }
    }

    private static final Pattern DECODER_UPSAMPLE = Pattern.compile("decoder\\.upsamples\\.(\\d+)\\.(.*)");

    /** The diffusers {@code AutoencoderKLWan} name of an official key, written from the table of NETWORKS.md §8.5. */
    private static String diffusersName(String key) {
        String k = key;
        Matcher up = DECODER_UPSAMPLE.matcher(k);
        if (up.matches()) {
            int i = Integer.parseInt(up.group(1));
            k = i % 4 == 3
                    ? "decoder.up_blocks." + i / 4 + ".upsamplers.0." + up.group(2)
                    : "decoder.up_blocks." + i / 4 + ".resnets." + i % 4 + "." + up.group(2);
        }
        k = k.replaceFirst("^encoder\\.downsamples\\.", "encoder.down_blocks.")
                .replaceFirst("^(en|de)coder\\.middle\\.0\\.", "$1coder.mid_block.resnets.0.")
                .replaceFirst("^(en|de)coder\\.middle\\.2\\.", "$1coder.mid_block.resnets.1.")
                .replaceFirst("^(en|de)coder\\.middle\\.1\\.", "$1coder.mid_block.attentions.0.")
                .replaceFirst("^(en|de)coder\\.conv1\\.", "$1coder.conv_in.")
                .replaceFirst("^(en|de)coder\\.head\\.0\\.gamma$", "$1coder.norm_out.gamma")
                .replaceFirst("^(en|de)coder\\.head\\.2\\.", "$1coder.conv_out.")
                .replaceFirst("^conv1\\.", "quant_conv.")
                .replaceFirst("^conv2\\.", "post_quant_conv.")
                .replaceFirst("\\.residual\\.0\\.gamma$", ".norm1.gamma")
                .replaceFirst("\\.residual\\.2\\.", ".conv1.")
                .replaceFirst("\\.residual\\.3\\.gamma$", ".norm2.gamma")
                .replaceFirst("\\.residual\\.6\\.", ".conv2.")
                .replaceFirst("\\.shortcut\\.", ".conv_shortcut.");
        return k;
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
