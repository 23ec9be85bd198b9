package io.github.wananimate.pipeline;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/** What happens between the sampler's last step and the frame sink (PIPELINE.md §2.11, §2.12). */
public final class ClipOutput {

    private ClipOutput() {
    }

    /**
     * x₀ without latent frame 0 (the reference slot, which is denoised and then discarded): [16, lat_t + 1, h, w] →
     * [16, lat_t, h, w], ready for the VAE decoder.
     */
    public static HostTensor withoutReferenceSlot(HostTensor latent) {
        long[] s = latent.shape();
        if (s.length != 4 || s[1] < 2) {
            throw new IllegalArgumentException("latent has shape " + Arrays.toString(s)
                    + ", expected [C, T, h, w] with T >= 2");
        }
        int channels = (int) s[0];
        int frames = (int) s[1];
        int plane = (int) (s[2] * s[3]);
        float[] in = latent.toFloatArray();
        float[] out = new float[channels * (frames - 1) * plane];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(in, (c * frames + 1) * plane, out, c * (frames - 1) * plane, (frames - 1) * plane);
        }
        return HostTensor.ofFloats(new long[] {channels, frames - 1, s[2], s[3]}, out);
    }

    /** The decoded clip clamped to [−1, 1] (a copy). */
    public static HostTensor clamp(HostTensor video) {
        float[] v = video.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-1f, Math.min(1f, v[i]));
        }
        return HostTensor.ofFloats(video.shape(), v);
    }

    /**
     * Frames [from, to) of a [3, T, H, W] video, rounded to {@code precision}: with {@code from = T − r} these are
     * the next clip's previous frames (the last r frames of the trimmed decoded clip, bf16 in the original).
     */
    public static HostTensor frames(HostTensor video, int from, int to, Precision precision) {
        long[] s = video.shape();
        if (s.length != 4 || from < 0 || to > s[1] || from >= to) {
            throw new IllegalArgumentException("frames [" + from + ", " + to + ") of a video shaped "
                    + Arrays.toString(s));
        }
        int channels = (int) s[0];
        int frames = (int) s[1];
        int plane = (int) (s[2] * s[3]);
        int count = to - from;
        float[] in = video.toFloatArray();
        float[] out = new float[channels * count * plane];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(in, (c * frames + from) * plane, out, c * count * plane, count * plane);
        }
        precision.roundInPlace(out);
        return HostTensor.ofFloats(new long[] {channels, count, s[2], s[3]}, out);
    }
}
