package io.github.wananimate.procedural;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's {@link ProceduralWeights} written as a float8 checkpoint in the ComfyUI / Kijai layout that
 * {@link io.github.wananimate.weights.Fp8Checkpoint} reads: every {@code .weight} of rank ≥ 2 (Linears,
 * convolutions) quantised to float8, with (scaled layouts) a float32 scalar {@code <module>.scale_weight} = max|w| /
 * the format's largest finite value and a {@code scaled_fp8} marker; everything else (norms, biases, modulation) in
 * {@code others}. Optionally also writes the float32 checkpoint of the dequantised values ({@code float8 × scale}),
 * the reference a float8 run must reproduce. Files are written one tensor at a time.
 */
public final class ProceduralFloat8 {

    /** The float8 flavour and whether per-tensor scales are written. */
    public enum Layout {
        /** e4m3fn weights with a {@code scale_weight} each (Kijai's scaled files). */
        SCALED_E4M3(DType.F8_E4M3, true),
        /** e4m3fn weights cast without a scale. */
        UNSCALED_E4M3(DType.F8_E4M3, false),
        /** e5m2 weights with a {@code scale_weight} each. */
        SCALED_E5M2(DType.F8_E5M2, true);

        private final DType dtype;
        private final boolean scaled;

        Layout(DType dtype, boolean scaled) {
            this.dtype = dtype;
            this.scaled = scaled;
        }

        /** {@return the float8 format} */
        public DType dtype() {
            return dtype;
        }

        /** {@return whether the layout has per-tensor scales} */
        public boolean scaled() {
            return scaled;
        }

        /** The largest finite magnitude of {@link #dtype()}. */
        double maxFinite() {
            return dtype == DType.F8_E4M3 ? 448.0 : 57344.0;
        }
    }

    private ProceduralFloat8() {
    }

    /**
     * {@return whether {@code spec} is stored as float8: a {@code .weight} of rank ≥ 2}
     *
     * @param spec the parameter spec
     */
    public static boolean quantised(ParameterSpec spec) {
        return spec.key().endsWith(".weight") && spec.shape().length >= 2;
    }

    /**
     * Writes {@code network}'s procedural weights (seed {@code seed}) as a float8 checkpoint at {@code fp8}, each key
     * under {@code prefix} (e.g. {@code model.diffusion_model.}, as ComfyUI saves), the other tensors as
     * {@code others}; and, when {@code dequantisedF32} is not null, the float32 checkpoint of the dequantised values
     * there (same keys, float32).
     *
     * @param network the network
     * @param layout the layout
     * @param prefix the key prefix
     * @param seed the seed of the procedural values
     * @param others the other tensors
     * @param fp8 the float8 checkpoint
     * @param dequantisedF32 whether to dequantise to float32
     */
    public static void write(Network network, Layout layout, String prefix, long seed, DType others, Path fp8,
            Path dequantisedF32) {
        Map<String, ParameterSpec> specs = new LinkedHashMap<>();
        network.parameters().forEach(s -> specs.put(s.key(), s));
        List<SafetensorsWriter.Tensor> fp8Tensors = new ArrayList<>();
        List<SafetensorsWriter.Tensor> f32Tensors = new ArrayList<>();
        if (layout.scaled()) {
            fp8Tensors.add(new SafetensorsWriter.Tensor(prefix + "scaled_fp8", layout.dtype(), new long[] {0}));
        }
        for (ParameterSpec spec : specs.values()) {
            boolean q = quantised(spec);
            fp8Tensors.add(new SafetensorsWriter.Tensor(prefix + spec.key(), q ? layout.dtype() : others, spec.shape()));
            if (q && layout.scaled()) {
                fp8Tensors.add(new SafetensorsWriter.Tensor(prefix + scaleKey(spec.key()), DType.F32, new long[0]));
            }
            f32Tensors.add(new SafetensorsWriter.Tensor(prefix + spec.key(), DType.F32, spec.shape()));
        }
        SafetensorsWriter.writeEach(fp8, fp8Tensors, key -> {
            String k = key.substring(prefix.length());
            if (k.equals("scaled_fp8")) {
                return HostTensor.of(layout.dtype(), new long[] {0}, ByteBuffer.allocate(0));
            }
            if (k.endsWith(".scale_weight")) {
                String weight = k.substring(0, k.length() - ".scale_weight".length()) + ".weight";
                return HostTensor.of(DType.F32, new long[0], DTypeConversions.fromFloatArray(DType.F32,
                        new float[] {scale(layout, values(specs.get(weight), seed))}));
            }
            ParameterSpec spec = specs.get(k);
            float[] v = values(spec, seed);
            if (!quantised(spec)) {
                return HostTensor.of(others, spec.shape(), DTypeConversions.fromFloatArray(others, v));
            }
            return HostTensor.of(layout.dtype(), spec.shape(), quantise(layout, v));
        });
        if (dequantisedF32 != null) {
            SafetensorsWriter.writeEach(dequantisedF32, f32Tensors, key -> {
                ParameterSpec spec = specs.get(key.substring(prefix.length()));
                float[] v = values(spec, seed);
                float[] out;
                if (quantised(spec)) {
                    float[] codes = DTypeConversions.toFloatArray(layout.dtype(), quantise(layout, v));
                    float scale = scale(layout, v);
                    out = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        out[i] = codes[i] * scale;
                    }
                } else {
                    out = DTypeConversions.toFloatArray(others, DTypeConversions.fromFloatArray(others, v));
                }
                return HostTensor.of(DType.F32, spec.shape(), DTypeConversions.fromFloatArray(DType.F32, out));
            });
        }
    }

    /**
     * {@return {@code module.weight} → {@code module.scale_weight}}
     *
     * @param weightKey the weight's key
     */
    public static String scaleKey(String weightKey) {
        return weightKey.substring(0, weightKey.length() - ".weight".length()) + ".scale_weight";
    }

    private static float[] values(ParameterSpec spec, long seed) {
        return ProceduralWeights.values(spec.key(), spec.shape(), seed);
    }

    /** The per-tensor scale max|w| / the format's largest finite value (1 for unscaled layouts). */
    static float scale(Layout layout, float[] values) {
        if (!layout.scaled()) {
            return 1f;
        }
        float amax = 0;
        for (float v : values) {
            amax = Math.max(amax, Math.abs(v));
        }
        return amax == 0 ? 1f : (float) (amax / layout.maxFinite());
    }

    /** The float8 bytes of {@code values / scale}, clamped to the finite range (as quantisers clamp). */
    static ByteBuffer quantise(Layout layout, float[] values) {
        float scale = scale(layout, values);
        float max = (float) layout.maxFinite();
        float[] scaled = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            scaled[i] = Math.max(-max, Math.min(max, values[i] / scale));
        }
        return DTypeConversions.fromFloatArray(layout.dtype(), scaled).order(ByteOrder.LITTLE_ENDIAN);
    }
}
