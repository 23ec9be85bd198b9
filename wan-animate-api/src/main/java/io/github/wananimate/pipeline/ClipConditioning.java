package io.github.wananimate.pipeline;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/**
 * The host-side pieces of the DiT's image condition {@code y} for the four cases of PIPELINE.md §2.9:
 * A first clip / animation, B later clip / animation, C first clip / replacement, D later clip / replacement.
 * The VAE runs between {@link #conditioningVideo} and {@link #assembleY}.
 */
public final class ClipConditioning {

    private ClipConditioning() {
    }

    /**
     * The L-frame pixel video V whose latent forms the last 16 channels of y_reft, [3, L, H, W]:
     * <ul>
     * <li>A: all zeros (mid-grey);</li>
     * <li>B: the previous clip's last r frames, then zeros (the original's bicubic H×W → H×W resize of the
     * previous frames is the identity, §2.14);</li>
     * <li>C: the background clip;</li>
     * <li>D: the previous r frames, then background frames r…L−1.</li>
     * </ul>
     *
     * @param previousFrames [3, r, H, W] pixel space, required for later clips (r = its frame count), else null
     * @param background [3, L, H, W] pixel space, required for replacement, else ignored
     */
    public static HostTensor conditioningVideo(boolean replacement, HostTensor previousFrames, HostTensor background,
            int clipLength, int height, int width) {
        int plane = height * width;
        float[] out = new float[3 * clipLength * plane];
        int carried = 0;
        float[] previous = null;
        if (previousFrames != null) {
            long[] s = previousFrames.shape();
            requireShape("previous frames", s, 3, -1, height, width);
            carried = (int) s[1];
            if (carried >= clipLength) {
                throw new IllegalArgumentException("previous frames: " + carried + " carried frames leave no frame to"
                        + " generate in a clip of " + clipLength);
            }
            previous = previousFrames.toFloatArray();
        }
        if (replacement) {
            if (background == null) {
                throw new IllegalArgumentException("replacement needs the background clip");
            }
            requireShape("background", background.shape(), 3, clipLength, height, width);
            float[] bg = background.toFloatArray();
            for (int c = 0; c < 3; c++) {
                int from = (c * clipLength + carried) * plane;
                System.arraycopy(bg, from, out, from, (clipLength - carried) * plane);
            }
        }
        for (int c = 0; c < 3 && previous != null; c++) {
            System.arraycopy(previous, c * carried * plane, out, c * clipLength * plane, carried * plane);
        }
        return HostTensor.ofFloats(new long[] {3, clipLength, height, width}, out);
    }

    /**
     * msk_reft, [4, lat_t, h, w]: {@code get_i2v_mask(lat_t, h, w, r, M′)} with r = {@code knownFrames} (0 for the
     * first clip) and M′ = {@code keepBackground} in replacement (null in animation).
     */
    public static HostTensor clipMask(int latentFrames, int latentHeight, int latentWidth, int knownFrames,
            float[] keepBackground) {
        return I2vMask.build(latentFrames, latentHeight, latentWidth, knownFrames, keepBackground);
    }

    /**
     * M′ of replacement: 1 − mask, then torch {@code nearest} (legacy) down to h×w, i.e. the top-left sample of
     * every 8×8 block; no averaging, no threshold (§2.9, quirk 7 of §7).
     *
     * @param mask [T, H, W], 1 = character (red channel / 255)
     * @return [T, H/8, W/8], 1 = keep the background
     */
    public static float[] keepBackgroundMask(float[] mask, int frames, int height, int width,
            Precision precision) {
        if (mask.length != frames * height * width) {
            throw new IllegalArgumentException("mask has " + mask.length + " values, expected " + frames + " frames of "
                    + width + "x" + height);
        }
        int h = height / LatentGeometry.SPATIAL_STRIDE;
        int w = width / LatentGeometry.SPATIAL_STRIDE;
        // torch legacy nearest: src = floor(dst · (in/out)), computed with a float32 scale.
        float scaleY = (float) height / h;
        float scaleX = (float) width / w;
        float[] out = new float[frames * h * w];
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < h; i++) {
                int sy = Math.min((int) Math.floor(i * scaleY), height - 1);
                for (int j = 0; j < w; j++) {
                    int sx = Math.min((int) Math.floor(j * scaleX), width - 1);
                    out[(t * h + i) * w + j] = precision.round(1f - mask[(t * height + sy) * width + sx]);
                }
            }
        }
        return out;
    }

    /**
     * y = [y_ref | y_reft] along time, [20, lat_t + 1, h, w]: y_ref = [ones(4) ; reference latent] and
     * y_reft = [msk_reft ; Enc(V)] along channels. Latent frame 0 is the reference slot.
     *
     * @param referenceLatent [16, 1, h, w] (a leading batch dimension of 1 is accepted)
     * @param videoLatent Enc(V), [16, lat_t, h, w] (batch 1 accepted)
     * @param clipMask msk_reft, [4, lat_t, h, w]
     */
    public static HostTensor assembleY(HostTensor referenceLatent, HostTensor videoLatent, HostTensor clipMask) {
        long[] ms = clipMask.shape();
        requireShape("clip mask", ms, 4, -1, -1, -1);
        int latentFrames = (int) ms[1];
        int h = (int) ms[2];
        int w = (int) ms[3];
        int plane = h * w;
        long[] rs = dropBatch(referenceLatent.shape());
        long[] vs = dropBatch(videoLatent.shape());
        requireShape("reference latent", rs, LatentGeometry.LATENT_CHANNELS, 1, h, w);
        requireShape("video latent", vs, LatentGeometry.LATENT_CHANNELS, latentFrames, h, w);
        float[] ref = referenceLatent.toFloatArray();
        float[] video = videoLatent.toFloatArray();
        float[] mask = clipMask.toFloatArray();
        int frames = latentFrames + 1;
        float[] y = new float[(4 + LatentGeometry.LATENT_CHANNELS) * frames * plane];
        for (int c = 0; c < 4; c++) {
            Arrays.fill(y, c * frames * plane, (c * frames + 1) * plane, 1f);
            System.arraycopy(mask, c * latentFrames * plane, y, (c * frames + 1) * plane, latentFrames * plane);
        }
        for (int c = 0; c < LatentGeometry.LATENT_CHANNELS; c++) {
            int yc = 4 + c;
            System.arraycopy(ref, c * plane, y, yc * frames * plane, plane);
            System.arraycopy(video, c * latentFrames * plane, y, (yc * frames + 1) * plane, latentFrames * plane);
        }
        return HostTensor.ofFloats(new long[] {4 + LatentGeometry.LATENT_CHANNELS, frames, h, w}, y);
    }

    private static long[] dropBatch(long[] shape) {
        return shape.length == 5 && shape[0] == 1 ? Arrays.copyOfRange(shape, 1, 5) : shape;
    }

    /** Checks a 4-D shape; −1 accepts any size. */
    private static void requireShape(String what, long[] shape, long... expected) {
        boolean ok = shape.length == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || shape[i] == expected[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(shape) + ", expected "
                    + Arrays.toString(expected).replace("-1", "*"));
        }
    }
}
