package io.github.wananimate.nn.vae;

import io.github.wananimate.weights.ParameterSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Configuration of the Wan 2.1 VAE (NETWORKS.md §4): {@code dim} base channels, {@code z_dim} latent channels,
 * channel multipliers per resolution level, residual blocks per level and which encoder downsamples also halve
 * time. The decoder mirrors the encoder (its temporal upsample flags are the reverse). Attention only appears in
 * the middle blocks ({@code attn_scales = []} in every released config).
 *
 * <p>Only the stride-4-in-time, stride-8-in-space layout of the released VAE is supported: four levels, two of
 * them temporal, which is what the runner's ({@code pipeline.WanVae}) 1, 4, 4, … chunking and the 4k+1 frame rule
 * rely on.
 */
public record VaeConfig(int dim, int zDim, int[] dimMult, int numResBlocks, boolean[] temperalDownsample) {

    /** Channels of the latent mean/std constants (NETWORKS.md §4.6); the DiT's pose patch embedding needs 16 too. */
    public static final int LATENT_CHANNELS = 16;

    /**
     * Checks the layout (the released stride-4/8 one only).
     *
     * @param dim dim
     * @param zDim z dim
     * @param dimMult dim mult
     * @param numResBlocks num res blocks
     * @param temperalDownsample temperal downsample
     */
    public VaeConfig {
        dimMult = dimMult.clone();
        temperalDownsample = temperalDownsample.clone();
        if (dim <= 0 || numResBlocks <= 0) {
            throw new IllegalArgumentException("dim and num_res_blocks must be positive, got dim=" + dim
                    + ", num_res_blocks=" + numResBlocks);
        }
        if (zDim != LATENT_CHANNELS) {
            throw new IllegalArgumentException("z_dim must be " + LATENT_CHANNELS
                    + " (the latent normalisation constants have 16 entries), got " + zDim);
        }
        if (dimMult.length != 4 || temperalDownsample.length != 3) {
            throw new IllegalArgumentException("expected 4 dim_mult entries and 3 temperal_downsample flags, got "
                    + Arrays.toString(dimMult) + " and " + Arrays.toString(temperalDownsample));
        }
        int temporal = 0;
        for (boolean t : temperalDownsample) {
            temporal += t ? 1 : 0;
        }
        if (temporal != 2) {
            throw new IllegalArgumentException("exactly two temporal downsamples are supported (time stride 4), got "
                    + Arrays.toString(temperalDownsample));
        }
        for (int m : dimMult) {
            if (m <= 0 || (dim * m) % 2 != 0) {
                throw new IllegalArgumentException("dim * dim_mult must be positive and even, got dim=" + dim
                        + ", dim_mult=" + Arrays.toString(dimMult));
            }
        }
    }

    /** {@return the released {@code Wan2.1_VAE.pth}: dim 96, z 16, multipliers [1,2,4,4], 2 residual blocks} */
    public static VaeConfig official() {
        return withDim(96);
    }

    /**
     * {@return the released structure with another base width (the golden fixtures use 16 and 8)}
     *
     * @param dim the width
     */
    public static VaeConfig withDim(int dim) {
        return new VaeConfig(dim, LATENT_CHANNELS, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true});
    }

    /**
     * The released structure at the base width of {@code checkpoint} (the output channels of
     * {@code encoder.conv1.weight}); {@link #official()} when that key is absent, so that binding then names every
     * missing key.
     *
     * @param checkpoint the checkpoint
     * @return the result
     */
    public static VaeConfig fromCheckpoint(ParameterSource checkpoint) {
        String key = "encoder.conv1.weight";
        return checkpoint.contains(key) ? withDim((int) checkpoint.shape(key)[0]) : official();
    }

    /** {@return a copy of the width multipliers per level} */
    @Override
    public int[] dimMult() {
        return dimMult.clone();
    }

    /** {@return a copy of which levels halve time (the original's spelling)} */
    @Override
    public boolean[] temperalDownsample() {
        return temperalDownsample.clone();
    }

    /** {@return pixel frames per latent frame after the first} */
    public int timeStride() {
        return 4;
    }

    /** {@return pixels per latent cell along height and width} */
    public int spaceStride() {
        return 8;
    }

    /** Encoder channel widths {@code dim · [1, dim_mult…]}. */
    int[] encoderDims() {
        int[] dims = new int[dimMult.length + 1];
        dims[0] = dim;
        for (int i = 0; i < dimMult.length; i++) {
            dims[i + 1] = dim * dimMult[i];
        }
        return dims;
    }

    /** Decoder channel widths {@code dim · [dim_mult[-1], reversed dim_mult…]}. */
    int[] decoderDims() {
        int[] dims = new int[dimMult.length + 1];
        dims[0] = dim * dimMult[dimMult.length - 1];
        for (int i = 0; i < dimMult.length; i++) {
            dims[i + 1] = dim * dimMult[dimMult.length - 1 - i];
        }
        return dims;
    }

    /** The layers of {@code encoder.downsamples}, in index order (mirrors {@code Encoder3d.__init__}). */
    List<VaeLayer> encoderDownsamples() {
        int[] dims = encoderDims();
        List<VaeLayer> layers = new ArrayList<>();
        for (int i = 0; i < dims.length - 1; i++) {
            int in = dims[i];
            int out = dims[i + 1];
            for (int r = 0; r < numResBlocks; r++) {
                layers.add(new VaeLayer.Residual(in, out));
                in = out;
            }
            if (i != dimMult.length - 1) {
                layers.add(temperalDownsample[i] ? new VaeLayer.Downsample3d(out) : new VaeLayer.Downsample2d(out));
            }
        }
        return layers;
    }

    /** The layers of {@code decoder.upsamples}, in index order (mirrors {@code Decoder3d.__init__}). */
    List<VaeLayer> decoderUpsamples() {
        int[] dims = decoderDims();
        List<VaeLayer> layers = new ArrayList<>();
        for (int i = 0; i < dims.length - 1; i++) {
            // Each upsample halves the channels, so every level after the first starts from half the width.
            int in = i == 0 ? dims[i] : dims[i] / 2;
            int out = dims[i + 1];
            for (int r = 0; r < numResBlocks + 1; r++) {
                layers.add(new VaeLayer.Residual(in, out));
                in = out;
            }
            if (i != dimMult.length - 1) {
                boolean temporal = temperalDownsample[temperalDownsample.length - 1 - i];
                layers.add(temporal ? new VaeLayer.Upsample3d(out) : new VaeLayer.Upsample2d(out));
            }
        }
        return layers;
    }

    /** Channels entering the encoder head (and the decoder's first conv output). */
    int bottleneckDim() {
        return dim * dimMult[dimMult.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaeConfig c && c.dim == dim && c.zDim == zDim && c.numResBlocks == numResBlocks
                && Arrays.equals(c.dimMult, dimMult) && Arrays.equals(c.temperalDownsample, temperalDownsample);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dim + Arrays.hashCode(dimMult)) + Arrays.hashCode(temperalDownsample) + numResBlocks;
    }

    @Override
    public String toString() {
        return "VaeConfig[dim=" + dim + ", z_dim=" + zDim + ", dim_mult=" + Arrays.toString(dimMult)
                + ", num_res_blocks=" + numResBlocks + ", temperal_downsample=" + Arrays.toString(temperalDownsample)
                + "]";
    }
}
