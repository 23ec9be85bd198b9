package io.github.wananimate.nn.vae;

import java.util.ArrayList;
import java.util.List;

/**
 * Spatial tiling of a VAE decode, for a frame whose decode does not fit the device budget (the original decodes the
 * whole frame; the peers tile, e.g. DiffSynth-Studio's {@code tiled_decode}). The latent is cut into square tiles of
 * {@code tile} latent pixels, evenly spaced so that neighbours overlap by at least {@code tile / 4} and the last tile
 * ends at the frame's edge. Each tile is decoded over all its frames with a causal cache of its own, and
 * every output pixel is the weighted mean of the tiles that cover it, with weights that ramp linearly across each
 * overlap (the two tiles' weights sum to one there). The result differs from a whole-frame decode near the seams:
 * the decoder's middle attention and its receptive field see only the tile.
 *
 * @param tile the tile side in latent pixels; {@link #WHOLE_FRAME} decodes untiled
 */
public record VaeTiling(int tile) {

    /** No tiling: the whole frame at once, as the original. */
    public static final VaeTiling WHOLE_FRAME = new VaeTiling(0);

    /** The smallest tile side the memory model picks, in latent pixels (128 output pixels). */
    public static final int MIN_TILE = 16;

    /** The memory model's tile sides are multiples of this many latent pixels. */
    public static final int TILE_STEP = 8;

    /**
     * Checks the side.
     *
     * @param tile the tile side in latent pixels, at least 4 (an overlap of one latent pixel), or 0 for the whole
     *     frame
     */
    public VaeTiling {
        if (tile != 0 && tile < 4) {
            throw new IllegalArgumentException("a VAE tile side is 0 (whole frame) or at least 4 latent pixels, got "
                    + tile);
        }
    }

    /** {@return the least overlap between neighbouring tiles, in latent pixels} */
    public int overlap() {
        return tile / 4;
    }

    /**
     * {@return whether a latent of {@code height × width} pixels is cut into more than one tile}
     *
     * @param height latent height
     * @param width latent width
     */
    public boolean splits(long height, long width) {
        return tile > 0 && (height > tile || width > tile);
    }

    /**
     * The tiles along one axis: their first latent pixels, evenly spaced from 0 to {@code length - tile} with as few
     * tiles as keep each overlap at least {@link #overlap()}; each tile covers {@code min(tile, length)} pixels.
     *
     * @param length the axis length in latent pixels
     * @return start offsets, increasing
     */
    public List<Integer> starts(int length) {
        if (tile == 0 || length <= tile) {
            return List.of(0);
        }
        int stride = tile - overlap();
        int gaps = (length - tile + stride - 1) / stride;
        List<Integer> starts = new ArrayList<>();
        for (int k = 0; k <= gaps; k++) {
            starts.add(k * (length - tile) / gaps);
        }
        return List.copyOf(starts);
    }

    /**
     * The blend weight of each output pixel of tile {@code index} along one axis: 1 inside, rising as
     * {@code (j + 1) / (L + 1)} over the {@code L} pixels it shares with the tile before and falling symmetrically over
     * those it shares with the tile after.
     *
     * @param starts the axis's tile starts ({@link #starts})
     * @param index the tile
     * @param length the axis length in latent pixels
     * @param scale output pixels per latent pixel
     * @return one weight per output pixel of the tile
     */
    public float[] weights(List<Integer> starts, int index, int length, int scale) {
        int span = Math.min(tile == 0 ? length : tile, length);
        int pixels = span * scale;
        int rising = index == 0 ? 0 : (starts.get(index - 1) + span - starts.get(index)) * scale;
        int falling = index == starts.size() - 1 ? 0 : (starts.get(index) + span - starts.get(index + 1)) * scale;
        float[] weights = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            double up = rising == 0 ? 1 : Math.min(1.0, (p + 1.0) / (rising + 1.0));
            double down = falling == 0 ? 1 : Math.min(1.0, (double) (pixels - p) / (falling + 1.0));
            weights[p] = (float) Math.min(up, down);
        }
        return weights;
    }
}
