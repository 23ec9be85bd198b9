package io.github.wananimate.pipeline;

import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/** {@code get_i2v_mask(n_lat, h, w, k, M)} exactly (PIPELINE.md §2.8). */
public final class I2vMask {

    private I2vMask() {
    }

    /**
     * The 4×n_lat×h×w conditioning mask: M₀ (zeros, or a copy of {@code pixelMask}) over P = 4·(n_lat − 1) + 1
     * pixel frames, frames 0…k−1 forced to 1 ("known"), frame 0 repeated four times, then channel c of latent frame
     * f is pixel frame max(4f + c − 3, 0).
     *
     * @param pixelMask null, or P×h×w values (1 = known / keep, 0 = generate)
     */
    public static HostTensor build(int latentFrames, int height, int width, int knownFrames, float[] pixelMask) {
        if (latentFrames < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("i2v mask of " + latentFrames + " latent frames of " + width + "x"
                    + height);
        }
        int pixelFrames = 4 * (latentFrames - 1) + 1;
        int plane = height * width;
        if (knownFrames < 0 || knownFrames > pixelFrames) {
            throw new IllegalArgumentException("known frames must be in [0, " + pixelFrames + "], got " + knownFrames);
        }
        float[] m0;
        if (pixelMask == null) {
            m0 = new float[pixelFrames * plane];
        } else {
            if (pixelMask.length != pixelFrames * plane) {
                throw new IllegalArgumentException("pixel mask has " + pixelMask.length + " values, expected "
                        + pixelFrames + " frames of " + width + "x" + height + " = " + pixelFrames * plane);
            }
            m0 = pixelMask.clone();
        }
        Arrays.fill(m0, 0, knownFrames * plane, 1f);
        float[] out = new float[4 * latentFrames * plane];
        for (int c = 0; c < 4; c++) {
            for (int f = 0; f < latentFrames; f++) {
                int pixelFrame = Math.max(4 * f + c - 3, 0);
                System.arraycopy(m0, pixelFrame * plane, out, (c * latentFrames + f) * plane, plane);
            }
        }
        return HostTensor.ofFloats(new long[] {4, latentFrames, height, width}, out);
    }
}
