package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchCheckpointTest {

    @TempDir
    Path dir;

    private static Path golden(String relative) throws Exception {
        return Path.of(PytorchCheckpointTest.class.getResource("/golden/" + relative).toURI());
    }

    private static void assertBitEqual(String key, float[] actual, float[] expected) {
        assertThat(actual).as(key).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("%s[%d]", key, i)
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @Test
    void officialVaeSampleMatchesProceduralWeights() throws Exception {
        Map<String, long[]> expected = ShardedSafetensorsTest.fixtureShapes("vae_weights");
        assertThat(expected).hasSize(194);
        try (PytorchCheckpoint vae = PytorchCheckpoint.open(golden("format_samples/Wan2.1_VAE.pth"))) {
            assertThat(vae.root()).isEmpty();
            assertThat(vae.keys()).containsExactlyElementsOf(expected.keySet());
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String key = e.getKey();
                assertThat(vae.shape(key)).as(key).isEqualTo(e.getValue());
                assertThat(vae.dtype(key)).as(key).isEqualTo(DType.F32);
                HostTensor t = vae.get(key);
                assertThat(t.shape()).isEqualTo(e.getValue());
                assertBitEqual(key, t.toFloatArray(), ProceduralWeights.values(key, e.getValue(), 0));
            }
        }
    }

    @Test
    void loraCheckpointUsesItsStateDictAndMatchesTheSafetensorsCopy() throws Exception {
        try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(golden("lora_tiny/lora.ckpt"));
                SafetensorsFile st = SafetensorsFile.open(golden("lora_tiny/lora.safetensors"))) {
            assertThat(ckpt.root()).isEqualTo("state_dict");
            assertThat(ckpt.description()).endsWith("[state_dict]");
            assertThat(ckpt.keys()).hasSize(240).allMatch(k -> k.startsWith("blocks.") && k.contains(".lora_"));
            for (String key : ckpt.keys()) {
                String other = "diffusion_model." + key;
                assertThat(ckpt.shape(key)).as(key).isEqualTo(st.shape(other));
                assertBitEqual(key, ckpt.get(key).toFloatArray(), st.get(other).toFloatArray());
            }
        }
        try (PytorchCheckpoint whole = PytorchCheckpoint.open(golden("lora_tiny/lora.ckpt"), "")) {
            assertThat(whole.keys()).allMatch(k -> k.startsWith("state_dict.blocks."));
        }
    }

    /** {'state_dict': {'w': bf16 transposed view at offset 2, 'sub': {'p': Parameter(f32)}, 'f8': e4m3}, 'epoch': 7} */
    private Path handBuiltCheckpoint() throws Exception {
        float[] storage = {9, 9, 1, 2, 3, 4, 5, 6}; // the view starts at element 2
        byte[] bf16 = DTypeConversions.fromFloatArray(DType.BF16, storage).array();
        byte[] f32 = DTypeConversions.fromFloatArray(DType.F32, new float[] {0.5f, -1.5f}).array();
        byte[] f8 = {0x38, (byte) 0xC0, 0x7E};
        TorchSaveWriter.Pickle p = new TorchSaveWriter.Pickle().proto(2).op('}').string("state_dict").orderedDict()
                .mark();
        // 'w': a [2,3] view with strides (1,2) of the storage from offset 2: w[i][j] = storage[2 + i + 2j]
        p.string("w").tensorV2("BFloat16Storage", "0", 8, 2, new long[] {2, 3}, new long[] {1, 2});
        p.string("sub").op('}').string("p").global("torch._utils", "_rebuild_parameter").mark()
                .tensorV2("FloatStorage", "1", 2, 0, new long[] {2}, new long[] {1}).op(0x88).orderedDict().tuple()
                .op('R').op('s');
        p.string("f8").tensorV3("float8_e4m3fn", "2", 3, new long[] {3}, new long[] {1});
        p.op('u').op('s'); // close the state_dict items, store it under 'state_dict'
        p.string("epoch").integer(7).op('s').op('.');
        return TorchSaveWriter.archive("archive", p.bytes(), Map.of("0", bf16, "1", f32, "2", f8))
                .write(dir.resolve("hand.ckpt"));
    }

    @Test
    void handBuiltCheckpointWithStridesOffsetsParametersAndFloat8() throws Exception {
        Path file = handBuiltCheckpoint();
        try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(file)) {
            assertThat(ckpt.root()).isEqualTo("state_dict");
            assertThat(ckpt.keys()).containsExactly("w", "sub.p", "f8");
            assertThat(ckpt.dtype("w")).isEqualTo(DType.BF16);
            assertThat(ckpt.shape("w")).containsExactly(2, 3);
            assertThat(ckpt.get("w").toFloatArray()).containsExactly(1, 3, 5, 2, 4, 6);
            assertThat(ckpt.get("sub.p").toFloatArray()).containsExactly(0.5f, -1.5f);
            assertThat(ckpt.dtype("f8")).isEqualTo(DType.F8_E4M3);
            assertThat(ckpt.get("f8").toFloatArray()).containsExactly(1f, -2f, 448f);
            assertThatThrownBy(() -> ckpt.get("epoch")).isInstanceOf(WeightException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'epoch'");
        }
        try (PytorchCheckpoint sub = PytorchCheckpoint.open(file, "state_dict/sub")) {
            assertThat(sub.keys()).containsExactly("p");
        }
        try (PytorchCheckpoint whole = PytorchCheckpoint.open(file, "")) {
            assertThat(whole.keys()).containsExactly("state_dict.w", "state_dict.sub.p", "state_dict.f8");
        }
        assertThatThrownBy(() -> PytorchCheckpoint.open(file, "model")).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'model'");
        assertThatThrownBy(() -> PytorchCheckpoint.open(file, "epoch")).isInstanceOf(WeightException.class)
                .hasMessageContaining("'epoch'").hasMessageContaining("not a dict");
    }

    @Test
    void contiguity() {
        assertThat(PytorchCheckpoint.isContiguous(new long[] {2, 3}, new long[] {3, 1})).isTrue();
        assertThat(PytorchCheckpoint.isContiguous(new long[] {2, 1, 3}, new long[] {3, 99, 1})).isTrue();
        assertThat(PytorchCheckpoint.isContiguous(new long[] {2, 3}, new long[] {1, 2})).isFalse();
        assertThat(PytorchCheckpoint.isContiguous(new long[] {}, new long[] {})).isTrue();
    }

    @Test
    void forbiddenGlobalIsRefusedAndNamed() throws Exception {
        byte[] pickle = new TorchSaveWriter.Pickle().proto(2).global("os", "system").string("echo pwned")
                .op(0x85).op('R').op('.').bytes();
        Path file = TorchSaveWriter.archive("evil", pickle, Map.of()).write(dir.resolve("evil.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'os.system'")
                .hasMessageContaining("not allowed");
        // the same with STACK_GLOBAL (protocol 4), hidden inside an otherwise valid state dict
        byte[] stackGlobal = new TorchSaveWriter.Pickle().proto(4).op('}').shortString("x")
                .shortString("builtins").shortString("eval").op(0x93).shortString("1+1").op(0x85).op('R').op('s')
                .op('.').bytes();
        Path file2 = TorchSaveWriter.archive("evil", stackGlobal, Map.of()).write(dir.resolve("evil2.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file2)).isInstanceOf(WeightException.class)
                .hasMessageContaining("'builtins.eval'");
        // an allowed global that is a value, not a function, may not be called either
        byte[] callStorage = new TorchSaveWriter.Pickle().proto(2).global("torch", "FloatStorage").op(')').op('R')
                .op('.').bytes();
        Path file3 = TorchSaveWriter.archive("evil", callStorage, Map.of()).write(dir.resolve("evil3.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file3)).isInstanceOf(WeightException.class)
                .hasMessageContaining("'torch.FloatStorage'").hasMessageContaining("not be called");
    }

    @Test
    void missingStorageRecord() throws Exception {
        byte[] pickle = new TorchSaveWriter.Pickle().proto(2).op('}').string("w")
                .tensorV2("FloatStorage", "5", 2, 0, new long[] {2}, new long[] {1}).op('s').op('.').bytes();
        Path file = TorchSaveWriter.archive("a", pickle, Map.of()).write(dir.resolve("missing.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("'a/data/5'");
    }

    @Test
    void storageSmallerThanTheViewOrCompressed() throws Exception {
        byte[] pickle = new TorchSaveWriter.Pickle().proto(2).op('}').string("w")
                .tensorV2("FloatStorage", "0", 2, 1, new long[] {2}, new long[] {1}).op('s').op('.').bytes();
        Path file = TorchSaveWriter.archive("a", pickle, Map.of("0", new byte[8])).write(dir.resolve("short.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining("tensor 'w'").hasMessageContaining("beyond its storage");
        byte[] ok = new TorchSaveWriter.Pickle().proto(2).op('}').string("w")
                .tensorV2("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s').op('.').bytes();
        TorchSaveWriter w = new TorchSaveWriter();
        w.record("a/data.pkl", ok).deflated("a/data/0", new byte[8]);
        Path deflated = w.write(dir.resolve("deflated.pth"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(deflated)).isInstanceOf(WeightException.class)
                .hasMessageContaining("tensor 'w'").hasMessageContaining("compressed");
    }

    @Test
    void deflatedPickleIsAccepted() throws Exception {
        byte[] pickle = new TorchSaveWriter.Pickle().proto(2).op('}').string("w")
                .tensorV2("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s').op('.').bytes();
        TorchSaveWriter w = new TorchSaveWriter();
        w.deflated("a/data.pkl", pickle).record("a/data/0", DTypeConversions.fromFloatArray(DType.F32,
                new float[] {3, 4}).array());
        try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(w.write(dir.resolve("zipped-pickle.pth")))) {
            assertThat(ckpt.get("w").toFloatArray()).containsExactly(3f, 4f);
        }
    }

    @Test
    void truncatedZip() throws Exception {
        byte[] full = Files.readAllBytes(golden("format_samples/Wan2.1_VAE.pth"));
        Path file = dir.resolve("truncated.pth");
        Files.write(file, Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> PytorchCheckpoint.open(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
        // cut inside the central directory: the end record survives only when the tail is kept
        Path tailless = dir.resolve("tailless.pth");
        Files.write(tailless, Arrays.copyOf(full, full.length - 30));
        assertThatThrownBy(() -> PytorchCheckpoint.open(tailless)).isInstanceOf(WeightException.class)
                .hasMessageContaining(tailless.toString()).hasMessageContaining("truncated");
    }

    @Test
    void notAZipFile() throws Exception {
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "hello, this is not a checkpoint");
        assertThatThrownBy(() -> PytorchCheckpoint.open(text)).isInstanceOf(WeightException.class)
                .hasMessageContaining(text.toString()).hasMessageContaining("not a PyTorch checkpoint");
        Path legacy = dir.resolve("legacy.pth");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10});
        assertThatThrownBy(() -> PytorchCheckpoint.open(legacy)).isInstanceOf(WeightException.class)
                .hasMessageContaining(legacy.toString()).hasMessageContaining("legacy");
        Path empty = dir.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> PytorchCheckpoint.open(empty)).isInstanceOf(WeightException.class)
                .hasMessageContaining("empty file");
        Path otherZip = new TorchSaveWriter().record("readme.txt", new byte[] {1}).write(dir.resolve("other.zip"));
        assertThatThrownBy(() -> PytorchCheckpoint.open(otherZip)).isInstanceOf(WeightException.class)
                .hasMessageContaining("data.pkl");
    }

    @Test
    void malformedPickles() {
        assertThatThrownBy(() -> RestrictedUnpickler.load("x.pkl", new byte[] {(byte) 0x80, 2, 'N'}))
                .isInstanceOf(WeightException.class).hasMessageContaining("x.pkl").hasMessageContaining("STOP");
        assertThatThrownBy(() -> RestrictedUnpickler.load("x.pkl", new byte[] {(byte) 0x80, 2, 'X', 100, 0, 0, 0}))
                .isInstanceOf(WeightException.class).hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> RestrictedUnpickler.load("x.pkl", new byte[] {(byte) 0x80, 2, 'h', 3, '.'}))
                .isInstanceOf(WeightException.class).hasMessageContaining("memo slot 3");
        assertThatThrownBy(() -> RestrictedUnpickler.load("x.pkl", new byte[] {'i', 'o', 's', '\n'}))
                .isInstanceOf(WeightException.class).hasMessageContaining("opcode 0x69");
        Object value = RestrictedUnpickler.load("x.pkl", new TorchSaveWriter.Pickle().proto(2).mark().integer(-5)
                .op('N').op(0x88).string("é").tuple().op('.').bytes());
        assertThat(value).isInstanceOf(RestrictedUnpickler.Tuple.class);
        assertThat(((RestrictedUnpickler.Tuple) value).items()).containsExactly(-5L, null, true, "é");
    }
}
