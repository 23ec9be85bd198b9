package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralFloat8;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Float8 checkpoints: dequantisation on read, the scale and marker keys consumed, malformed files refused. */
class Fp8CheckpointTest {

    @TempDir
    Path dir;

    private static HostTensor f8(DType dtype, long[] shape, float... values) {
        return HostTensor.of(dtype, shape, DTypeConversions.fromFloatArray(dtype, values));
    }

    private static HostTensor f32(long[] shape, float... values) {
        return HostTensor.of(DType.F32, shape, DTypeConversions.fromFloatArray(DType.F32, values));
    }

    private static final HostTensor MARKER = HostTensor.of(DType.F8_E4M3, new long[] {0}, ByteBuffer.allocate(0));

    private Path write(Map<String, HostTensor> tensors) {
        Path file = dir.resolve("ckpt" + tensors.hashCode() + ".safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        return file;
    }

    @Test
    void dequantisesEachFloat8WeightWithItsScaleAndConsumesTheScaleKeys() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("scaled_fp8", MARKER);
        t.put("a.weight", f8(DType.F8_E4M3, new long[] {2, 2}, 1f, -2f, 0.5f, 448f));
        t.put("a.scale_weight", f32(new long[0], 0.25f));
        t.put("a.scale_input", f32(new long[0], 3f));
        t.put("a.bias", f32(new long[] {2}, 7f, 8f));
        t.put("b.weight", f8(DType.F8_E5M2, new long[] {2}, 3f, -1024f));
        t.put("b.weight_scale", f32(new long[] {1}, 0.5f));   // ComfyUI's suffix, [1] as well as []
        try (ParameterSource source = Checkpoints.open(write(t))) {
            assertThat(source).isInstanceOf(Fp8Checkpoint.class);
            assertThat(source.keys()).containsExactly("a.weight", "a.bias", "b.weight");
            assertThat(source.dtype("a.weight")).isEqualTo(DType.F32);
            assertThat(source.shape("a.weight")).containsExactly(2, 2);
            assertThat(source.get("a.weight").toFloatArray()).containsExactly(0.25f, -0.5f, 0.125f, 112f);
            assertThat(source.get("b.weight").toFloatArray()).containsExactly(1.5f, -512f);
            assertThat(source.get("a.bias").toFloatArray()).containsExactly(7f, 8f);
            assertThat(((Fp8Checkpoint) source).scaled()).isTrue();
            assertThat(((Fp8Checkpoint) source).consumedKeys()).containsExactlyInAnyOrder("scaled_fp8",
                    "a.scale_weight", "a.scale_input", "b.weight_scale");
            assertThatThrownBy(() -> source.get("a.scale_weight")).isInstanceOf(WeightException.class)
                    .hasMessageContaining("'a.scale_weight'");
            ParameterSource bf16 = Fp8Checkpoint.wrapIfFloat8(source, DType.BF16);
            assertThat(bf16.dtype("a.weight")).isEqualTo(DType.BF16);
            assertThat(bf16.get("a.weight").dtype()).isEqualTo(DType.BF16);
            assertThat(bf16.get("a.weight").toFloatArray()).containsExactly(0.25f, -0.5f, 0.125f, 112f);
        }
    }

    @Test
    void anUnscaledFloat8FileReadsAsStored() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a.weight", f8(DType.F8_E4M3, new long[] {3}, 0.1f, -3f, 0.001f));
        try (ParameterSource source = Checkpoints.open(write(t))) {
            assertThat(((Fp8Checkpoint) source).scaled()).isFalse();
            // 0.1 → 0.1015625 (3 mantissa bits), 0.001 → 2^-9 (the smallest subnormal)
            assertThat(source.get("a.weight").toFloatArray()).containsExactly(0.1015625f, -3f, 0x1p-9f);
        }
    }

    @Test
    void aCheckpointWithoutFloat8IsNotWrapped() {
        try (ParameterSource source = Checkpoints.open(write(Map.of("a.weight", f32(new long[] {1}, 1f))))) {
            assertThat(source).isInstanceOf(SafetensorsFile.class);
        }
    }

    @Test
    void aPrefixedScaledDiTBindsUnderOfficialNames() {
        WanAnimateDiT dit = new WanAnimateDiT(new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6));
        Path file = dir.resolve("dit.safetensors");
        ProceduralFloat8.write(dit, ProceduralFloat8.Layout.SCALED_E4M3, "model.diffusion_model.", 3, DType.BF16,
                file, null);
        try (ParameterSource opened = Checkpoints.open(file)) {
            Fp8Checkpoint fp8 = (Fp8Checkpoint) opened;
            long quantised = dit.parameters().stream().filter(ProceduralFloat8::quantised).count();
            assertThat(fp8.scales()).hasSize((int) quantised);
            assertThat(fp8.consumedKeys()).hasSize((int) quantised + 1)
                    .contains("model.diffusion_model.scaled_fp8");
            ParameterSource official = KeyMappings.toOfficial(opened);
            ParameterBinding.validateAndPrepare(dit, official);   // no scale or marker key is unexpected
            ParameterSpec q = dit.parameters().stream().filter(ProceduralFloat8::quantised).findFirst().orElseThrow();
            String stored = "model.diffusion_model." + q.key();
            float scale = fp8.base().get("model.diffusion_model." + ProceduralFloat8.scaleKey(q.key()))
                    .toFloatArray()[0];
            float[] codes = fp8.base().get(stored).toFloatArray();
            float[] dequantised = official.get(q.key()).toFloatArray();
            for (int i = 0; i < codes.length; i++) {
                assertThat(dequantised[i]).isEqualTo(codes[i] * scale);
            }
            assertThat(fp8.base().dtype(stored)).isEqualTo(DType.F8_E4M3);
            // the file as stored, without the view: the scales are unexpected keys, and the message says what to do
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParameterBinding.validateAndPrepare(dit,
                    KeyMappings.toOfficial(fp8.base()))).isInstanceOf(WeightException.class)
                    .hasMessageContaining("unexpected key 'blocks.0.cross_attn.k.scale_weight'")
                    .hasMessageContaining("Fp8Checkpoint.wrapIfFloat8");
        }
    }

    @Test
    void aFloat8WeightWithoutItsScaleIsRefusedNamingIt() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a.weight", f8(DType.F8_E4M3, new long[] {2}, 1f, 2f));
        t.put("a.scale_weight", f32(new long[0], 0.5f));
        t.put("blocks.3.ffn.0.weight", f8(DType.F8_E4M3, new long[] {2}, 1f, 2f));
        Path file = write(t);
        assertThatThrownBy(() -> Checkpoints.open(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'blocks.3.ffn.0.weight'")
                .hasMessageContaining("'blocks.3.ffn.0.scale_weight'");
        Map<String, HostTensor> marked = new LinkedHashMap<>();   // the marker alone makes the file scaled
        marked.put("scaled_fp8", MARKER);
        marked.put("x.weight", f8(DType.F8_E4M3, new long[] {1}, 1f));
        assertThatThrownBy(() -> Checkpoints.open(write(marked))).isInstanceOf(WeightException.class)
                .hasMessageContaining("'x.weight'");
    }

    @Test
    void malformedScalesAreRefusedNamingTheKey() {
        for (Object[] c : new Object[][] {
                {f32(new long[0], Float.NaN), "NaN"},
                {f32(new long[0], Float.POSITIVE_INFINITY), "Infinity"},
                {f32(new long[0], 0f), "> 0"},
                {f32(new long[] {2}, 1f, 1f), "[2]"},
                {HostTensor.of(DType.I32, new long[0], ByteBuffer.allocate(4)), "I32"}}) {
            Map<String, HostTensor> t = new LinkedHashMap<>();
            t.put("m.weight", f8(DType.F8_E4M3, new long[] {2}, 1f, 2f));
            t.put("m.scale_weight", (HostTensor) c[0]);
            assertThatThrownBy(() -> Checkpoints.open(write(t))).as("%s", c[1]).isInstanceOf(WeightException.class)
                    .hasMessageContaining("'m.scale_weight'").hasMessageContaining((String) c[1]);
        }
        Map<String, HostTensor> orphan = new LinkedHashMap<>();
        orphan.put("m.weight", f8(DType.F8_E4M3, new long[] {1}, 1f));
        orphan.put("m.scale_weight", f32(new long[0], 1f));
        orphan.put("gone.scale_weight", f32(new long[0], 1f));
        assertThatThrownBy(() -> Checkpoints.open(write(orphan))).isInstanceOf(WeightException.class)
                .hasMessageContaining("'gone.scale_weight' has no weight 'gone.weight'");
        Map<String, HostTensor> twice = new LinkedHashMap<>();
        twice.put("m.weight", f8(DType.F8_E4M3, new long[] {1}, 1f));
        twice.put("m.scale_weight", f32(new long[0], 1f));
        twice.put("m.weight_scale", f32(new long[0], 1f));
        assertThatThrownBy(() -> Checkpoints.open(write(twice))).isInstanceOf(WeightException.class)
                .hasMessageContaining("'m.weight' has two scales");
    }

    @Test
    void aNonFiniteFloat8ValueIsRefusedWhenRead() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("m.weight", HostTensor.of(DType.F8_E4M3, new long[] {3},
                ByteBuffer.wrap(new byte[] {0x38, 0x7f, 0x38})));   // 1, NaN, 1
        t.put("m.scale_weight", f32(new long[0], 1f));
        try (ParameterSource source = Checkpoints.open(write(t))) {
            assertThatThrownBy(() -> source.get("m.weight")).isInstanceOf(WeightException.class)
                    .hasMessageContaining("'m.weight'").hasMessageContaining("element 1");
        }
    }

    @Test
    void theFloat8FormLooksUpToWhatGetReturns() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a.weight", f8(DType.F8_E4M3, new long[] {2, 2}, 1f, -2f, 0.5f, 448f));
        t.put("a.scale_weight", f32(new long[0], 0.3f));
        t.put("b.weight", f8(DType.F8_E5M2, new long[] {2}, 3f, -1024f));
        t.put("b.scale_weight", f32(new long[0], 0.5f));
        t.put("a.bias", f32(new long[] {2}, 7f, 8f));
        try (ParameterSource opened = Checkpoints.open(write(t))) {
            for (DType dequantised : List.of(DType.F32, DType.BF16, DType.F16)) {
                ParameterSource source = Fp8Checkpoint.wrapIfFloat8(opened, dequantised);
                for (String key : List.of("a.weight", "b.weight")) {
                    Float8Tensor form = source.float8(key).orElseThrow();
                    assertThat(form.stored().byteSize()).as(key).isEqualTo(form.stored().elementCount());
                    ByteBuffer codes = form.stored().data();
                    float[] table = form.table();
                    float[] looked = new float[codes.remaining()];
                    for (int i = 0; i < looked.length; i++) {
                        looked[i] = table[codes.get(i) & 0xff];
                    }
                    assertThat(looked).as("%s to %s", key, dequantised)
                            .containsExactly(source.get(key).toFloatArray());
                }
                assertThat(source.float8("a.bias")).isEmpty();
            }
            // views that keep the values forward the form; one that replaces the tensor does not
            ParameterSource narrowed = ParameterSources.without(opened, Set.of("a.bias"), "not read");
            assertThat(narrowed.float8("a.weight")).isPresent();
            assertThat(ParameterSources.withDerived(opened, Map.of("a.weight", f32(new long[] {2, 2}, 1, 2, 3, 4)))
                    .float8("a.weight")).isEmpty();
        }
    }

    @Test
    void theFloat8FormRefusesANonFiniteCodeNamingTheElement() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("m.weight", HostTensor.of(DType.F8_E4M3, new long[] {4},
                ByteBuffer.wrap(new byte[] {0x38, 0x38, (byte) 0xff, 0x38})));   // 1, 1, NaN, 1
        t.put("m.scale_weight", f32(new long[0], 1f));
        try (ParameterSource source = Checkpoints.open(write(t))) {
            assertThatThrownBy(() -> source.float8("m.weight")).isInstanceOf(WeightException.class)
                    .hasMessageContaining("'m.weight'").hasMessageContaining("element 2");
        }
    }

    @Test
    void comfyQuantLayersMustBeFloat8() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("m.weight", f8(DType.F8_E4M3, new long[] {2}, 1f, 2f));
        t.put("m.weight_scale", f32(new long[0], 2f));
        t.put("m.comfy_quant", json("{\"format\": \"float8_e4m3fn\"}"));
        try (ParameterSource source = Checkpoints.open(write(t))) {
            assertThat(source.keys()).containsExactly("m.weight");
            assertThat(source.get("m.weight").toFloatArray()).containsExactly(2f, 4f);
        }
        t.put("m.comfy_quant", json("{\"format\": \"nvfp4\"}"));
        assertThatThrownBy(() -> Checkpoints.open(write(t))).isInstanceOf(WeightException.class)
                .hasMessageContaining("'m.comfy_quant'").hasMessageContaining("'nvfp4'");
    }

    private static HostTensor json(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return HostTensor.of(DType.U8, new long[] {b.length}, ByteBuffer.wrap(b));
    }
}
