package io.github.wananimate.nn.clip;

import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/**
 * The official CLIP image preprocessing of Wan-Animate (NETWORKS.md §5), on the host: a {@code [3, H, W]} image
 * in [-1, 1] is squashed to {@code size × size} with PyTorch's bicubic interpolation ({@code align_corners=False},
 * A = −0.75, no antialias, taps clamped at the border), mapped to [0, 1] by {@code x·0.5 + 0.5} and normalised
 * with the OpenAI CLIP mean and std. Aspect ratio is NOT preserved and nothing is cropped, unlike ComfyUI's and
 * diffusers' CLIP processors.
 */
public final class ClipPreprocessing {

    /** Per-channel mean of the CLIP normalisation (OpenAI CLIP's). */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** Per-channel standard deviation of the CLIP normalisation. */
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** PyTorch's cubic convolution constant. */
    private static final float A = -0.75f;

    private ClipPreprocessing() {
    }

    /**
     * {@code image} {@code [3, H, W]} (or the reference's single-frame video {@code [3, 1, H, W]}) in [-1, 1] →
     * {@code [1, 3, size, size]} float32, ready for {@link ClipVisionEncoder}.
     *
     * @param image the image
     * @param size the size
     * @return the preprocess
     */
    public static HostTensor preprocess(HostTensor image, int size) {
        long[] s = image.shape();
        boolean video = s.length == 4 && s[1] == 1;
        if (!(s.length == 3 || video) || s[0] != 3) {
            throw new IllegalArgumentException("CLIP preprocessing expects a [3, H, W] or [3, 1, H, W] image, got "
                    + Arrays.toString(s));
        }
        int h = Math.toIntExact(s[s.length - 2]);
        int w = Math.toIntExact(s[s.length - 1]);
        float[] pixels = image.toFloatArray();
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            float[] resized = resizeBicubic(pixels, c * h * w, h, w, size, size);
            int base = c * size * size;
            for (int i = 0; i < resized.length; i++) {
                float unit = resized[i] * 0.5f + 0.5f;
                out[base + i] = (unit - MEAN[c]) / STD[c];
            }
        }
        return HostTensor.ofFloats(new long[] {1, 3, size, size}, out);
    }

    /**
     * One channel ({@code inH × inW} values starting at {@code offset}) resized like
     * {@code F.interpolate(mode='bicubic', align_corners=False)}: interpolate along x for the four source rows,
     * then along y, in float32 as PyTorch does on the CPU.
     */
    static float[] resizeBicubic(float[] src, int offset, int inH, int inW, int outH, int outW) {
        Taps xs = taps(inW, outW);
        Taps ys = taps(inH, outH);
        float[] out = new float[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                float acc = 0f;
                for (int j = 0; j < 4; j++) {
                    int row = offset + ys.index[oy * 4 + j] * inW;
                    float line = 0f;
                    for (int i = 0; i < 4; i++) {
                        line += src[row + xs.index[ox * 4 + i]] * xs.weight[ox * 4 + i];
                    }
                    acc += line * ys.weight[oy * 4 + j];
                }
                out[oy * outW + ox] = acc;
            }
        }
        return out;
    }

    /** For every output position: the four clamped source indices and their cubic weights. */
    private record Taps(int[] index, float[] weight) {
    }

    private static Taps taps(int in, int out) {
        float scale = (float) in / out;
        int[] index = new int[out * 4];
        float[] weight = new float[out * 4];
        for (int o = 0; o < out; o++) {
            // area_pixel_compute_source_index with cubic=true: no clamping of the real coordinate at 0.
            float real = scale * (o + 0.5f) - 0.5f;
            int floor = (int) Math.floor(real);
            float t = real - floor;
            weight[o * 4] = cubicFar(t + 1f);
            weight[o * 4 + 1] = cubicNear(t);
            weight[o * 4 + 2] = cubicNear(1f - t);
            weight[o * 4 + 3] = cubicFar(2f - t);
            for (int k = 0; k < 4; k++) {
                index[o * 4 + k] = Math.max(0, Math.min(in - 1, floor - 1 + k));
            }
        }
        return new Taps(index, weight);
    }

    /** Cubic convolution for |x| ≤ 1. */
    private static float cubicNear(float x) {
        return ((A + 2f) * x - (A + 3f)) * x * x + 1f;
    }

    /** Cubic convolution for 1 < |x| < 2. */
    private static float cubicFar(float x) {
        return ((A * x - 5f * A) * x + 8f * A) * x - 4f * A;
    }
}
