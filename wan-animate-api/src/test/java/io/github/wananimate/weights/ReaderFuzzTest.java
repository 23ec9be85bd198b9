package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.reliability.Mutations;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.text.UnigramTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: seeded mutations of valid files fed to every reader of model files (safetensors header, pickle stream,
 * zip central directory, tokenizer JSON). Each mutant must, within {@value #TIMEOUT_MS} ms, either load or fail with
 * the SDK's {@link WeightException}: no other exception, no {@link Error} (stack overflow, out of memory), no hang.
 * The {@code .wpose} reader has its counterpart in the preprocess module.
 */
class ReaderFuzzTest {

    static final int MUTANTS = 800;
    static final long TIMEOUT_MS = 5_000;

    @TempDir
    Path dir;

    private static Map<String, HostTensor> tensors() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("blocks.0.weight", HostTensor.ofFloats(new long[] {4, 3}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
        t.put("blocks.0.bias", HostTensor.ofFloats(new long[] {4}, new float[] {0.5f, -1, 2, 0}));
        t.put("head", HostTensor.ofFloats(new long[] {2, 2, 1}, new float[] {3, 1, 4, 1}));
        return t;
    }

    /** Reads every tensor fully, as a backend binding it would. */
    private static void touchAll(ParameterSource source) {
        for (String key : source.keys()) {
            HostTensor t = source.get(key);
            assertThat(t.dtype()).isNotNull();
            if (t.dtype() == DType.F32) {
                t.toFloatArray();
            }
        }
    }

    @Test
    void safetensorsHeader() throws Exception {
        Path valid = dir.resolve("valid.safetensors");
        SafetensorsWriter.write(valid, tensors(), Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(valid);
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path file = dir.resolve("mutant.safetensors");
        Mutations.Outcomes o = Mutations.run("safetensors", bytes, 0, headerEnd, MUTANTS, 1, TIMEOUT_MS, input -> {
            Files.write(file, input);
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                touchAll(st);
            }
        }, WeightException.class);
        check(o);
    }

    @Test
    void pickleStream() {
        TorchSaveWriter.Pickle p = new TorchSaveWriter.Pickle().proto(2).orderedDict().mark();
        p.string("w").tensorV2("FloatStorage", "0", 12, 0, new long[] {4, 3}, new long[] {3, 1});
        p.string("b").tensorV3("float32", "1", 16, new long[] {4}, new long[] {1});
        p.string("step").integer(7).string("names").mark().string("x").string("y").op('l');
        byte[] valid = p.op('u').op('.').bytes();
        Mutations.Outcomes o = Mutations.run("pickle", valid, 0, valid.length, MUTANTS, 2, TIMEOUT_MS,
                input -> RestrictedUnpickler.load("fuzz.pkl", input), WeightException.class);
        check(o);
    }

    @Test
    void zipCentralDirectory() throws Exception {
        Path valid = TorchSaveWriter.writeStateDict(dir.resolve("valid.pth"), tensors(), null);
        byte[] bytes = Files.readAllBytes(valid);
        int eocd = bytes.length - 22;
        int centralDirectory = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(eocd + 16);
        Path file = dir.resolve("mutant.pth");
        Mutations.Outcomes o = Mutations.run("zip", bytes, centralDirectory, bytes.length, MUTANTS, 3, TIMEOUT_MS,
                input -> {
                    Files.write(file, input);
                    try (PytorchCheckpoint c = PytorchCheckpoint.open(file)) {
                        touchAll(c);
                    }
                }, WeightException.class);
        check(o);
    }

    @Test
    void tokenizerJson() throws Exception {
        byte[] valid = io.github.wananimate.text.TokenizerFiles.smallUnigram().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("tokenizer.json");
        Mutations.Outcomes o = Mutations.run("tokenizer", valid, 0, valid.length, MUTANTS, 4, TIMEOUT_MS, input -> {
            Files.write(file, input);
            UnigramTokenizer t = UnigramTokenizer.load(file);
            t.encode("a bc d\u2581ab");
        }, WeightException.class);
        check(o);
    }

    private static void check(Mutations.Outcomes o) {
        assertThat(o.unexpected).withFailMessage("%s%s", o, o.failures).isZero();
        assertThat(o.tried).isEqualTo(MUTANTS);
        assertThat(o.counts).as("some mutants are rejected").containsKey(WeightException.class.getSimpleName());
    }
}
