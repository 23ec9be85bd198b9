package io.github.wananimate.pipeline;

/**
 * Sizes derived from the generation size H×W and the clip length L (PIPELINE.md §2.7).
 *
 * @param height H (multiple of 16)
 * @param width W (multiple of 16)
 * @param clipLength L = 4n+1
 */
public record LatentGeometry(int height, int width, int clipLength) {

    /** Latent channels of the Wan 2.1 VAE. */
    public static final int LATENT_CHANNELS = 16;
    /** Spatial VAE stride. */
    public static final int SPATIAL_STRIDE = 8;

    public LatentGeometry {
        if (height <= 0 || height % 16 != 0) {
            throw new IllegalArgumentException("height must be a positive multiple of 16, got " + height);
        }
        if (width <= 0 || width % 16 != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of 16, got " + width);
        }
        if (clipLength < 1 || clipLength % 4 != 1) {
            throw new IllegalArgumentException("clip length must be 4n+1, got " + clipLength);
        }
    }

    /** h = H/8. */
    public int latentHeight() {
        return height / SPATIAL_STRIDE;
    }

    /** w = W/8. */
    public int latentWidth() {
        return width / SPATIAL_STRIDE;
    }

    /** lat_t = L div 4 + 1: latent frames of a clip (20 for L = 77). */
    public int latentFrames() {
        return clipLength / 4 + 1;
    }

    /** The DiT's latent shape, reference slot included: [16, lat_t + 1, h, w]. */
    public long[] noiseShape() {
        return new long[] {LATENT_CHANNELS, latentFrames() + 1, latentHeight(), latentWidth()};
    }

    /** Shape of the pose latents handed to the DiT: [1, 16, lat_t, h, w]. */
    public long[] poseLatentShape() {
        return new long[] {1, LATENT_CHANNELS, latentFrames(), latentHeight(), latentWidth()};
    }

    /** Shape of y: [20, lat_t + 1, h, w]. */
    public long[] conditionShape() {
        return new long[] {4 + LATENT_CHANNELS, latentFrames() + 1, latentHeight(), latentWidth()};
    }

    /** max_seq_len = (lat_t + 1)·h·w / 4, the token count with 1×2×2 patches (no sequence parallelism). */
    public int maxSequenceLength() {
        return (latentFrames() + 1) * latentHeight() * latentWidth() / 4;
    }
}
