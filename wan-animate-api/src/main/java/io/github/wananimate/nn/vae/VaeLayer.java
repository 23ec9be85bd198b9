package io.github.wananimate.nn.vae;

/** One entry of {@code encoder.downsamples} or {@code decoder.upsamples} (NETWORKS.md §4.1). */
sealed interface VaeLayer {

    /** {@code ResidualBlock(in, out)}; a 1x1x1 {@code shortcut} conv exists when {@code in ≠ out}. */
    record Residual(int in, int out) implements VaeLayer {
    }

    /** Zero-pad right/bottom by 1, 3x3 stride-2 conv ({@code resample.1}). */
    record Downsample2d(int channels) implements VaeLayer {
    }

    /** {@link Downsample2d}, then the stride-2 temporal conv {@code time_conv} (the first frame bypasses it). */
    record Downsample3d(int channels) implements VaeLayer {
    }

    /** Nearest ×2 in H and W, 3x3 conv to half the channels ({@code resample.1}). */
    record Upsample2d(int channels) implements VaeLayer {
    }

    /** Temporal doubling by {@code time_conv} (C → 2C split into two frames; frame 0 bypasses it), then {@link Upsample2d}. */
    record Upsample3d(int channels) implements VaeLayer {
    }
}
