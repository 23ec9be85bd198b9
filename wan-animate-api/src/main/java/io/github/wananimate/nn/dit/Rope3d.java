package io.github.wananimate.nn.dit;

import io.github.wananimate.tensor.HostTensor;

/**
 * The 3-axis rotary position tables of the DiT's self-attention (NETWORKS.md §1.5), computed on the host in
 * float64 and handed to the network as float32 cos/sin constants.
 *
 * <p>A head of {@code d} channels holds {@code c = d/2} neighbouring pairs (2m, 2m+1). The first
 * {@code c − 2⌊c/3⌋} pairs rotate with the latent frame index, the next {@code ⌊c/3⌋} with the patch row, the
 * last {@code ⌊c/3⌋} with the patch column (22/21/21 for d = 128). Each axis has its own frequency denominator,
 * twice its pair count (44/42/42 for d = 128), as the original builds one table per axis.
 */
public final class Rope3d {

    private static final double THETA = 10000.0;

    private Rope3d() {
    }

    /**
     * {@return pairs rotated by the frame, row and column index, in that order}
     *
     * @param headDim width of one attention head
     */
    public static int[] pairSplit(int headDim) {
        int pairs = headDim / 2;
        int spatial = pairs / 3;
        return new int[] {pairs - 2 * spatial, spatial, spatial};
    }

    /**
     * The rotation angles of every token of a {@code frames × rows × cols} patch grid, tokens in (frame, row,
     * column) order: {@code [frames·rows·cols, headDim/2]}, in float64.
     *
     * @param headDim width of one attention head
     * @param frames the number of frames
     * @param rows rows of the latent grid
     * @param cols columns of the latent grid
     * @return the angles
     */
    public static double[][] angles(int headDim, int frames, int rows, int cols) {
        int[] split = pairSplit(headDim);
        int[] grid = {frames, rows, cols};
        for (int axis = 0; axis < 3; axis++) {
            if (grid[axis] > DiTConfig.ROPE_TABLE_LENGTH) {
                throw new IllegalArgumentException("RoPE: " + new String[] {"frame count", "patch rows", "patch columns"}[axis]
                        + " " + grid[axis] + " exceeds the original's table length " + DiTConfig.ROPE_TABLE_LENGTH);
            }
        }
        double[][] inverseFrequencies = new double[3][];
        for (int axis = 0; axis < 3; axis++) {
            int n = split[axis];
            double denominator = 2.0 * n;
            inverseFrequencies[axis] = new double[n];
            for (int j = 0; j < n; j++) {
                inverseFrequencies[axis][j] = 1.0 / Math.pow(THETA, 2.0 * j / denominator);
            }
        }
        double[][] out = new double[frames * rows * cols][headDim / 2];
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double[] a = out[(f * rows + i) * cols + j];
                    int m = 0;
                    int[] position = {f, i, j};
                    for (int axis = 0; axis < 3; axis++) {
                        for (double w : inverseFrequencies[axis]) {
                            a[m++] = position[axis] * w;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * {cos, sin} of the angles as float32 tensors of shape {@code [L, 1, headDim/2, 1]}, ready to broadcast
     * against q/k viewed as {@code [L, heads, headDim/2, 2]}.
     *
     * @param headDim width of one attention head
     * @param frames the number of frames
     * @param rows rows of the latent grid
     * @param cols columns of the latent grid
     * @return the cos sin
     */
    public static HostTensor[] cosSin(int headDim, int frames, int rows, int cols) {
        double[][] angles = angles(headDim, frames, rows, cols);
        int pairs = headDim / 2;
        float[] cos = new float[angles.length * pairs];
        float[] sin = new float[cos.length];
        for (int n = 0; n < angles.length; n++) {
            for (int m = 0; m < pairs; m++) {
                cos[n * pairs + m] = (float) Math.cos(angles[n][m]);
                sin[n * pairs + m] = (float) Math.sin(angles[n][m]);
            }
        }
        long[] shape = {angles.length, 1, pairs, 1};
        return new HostTensor[] {HostTensor.ofFloats(shape, cos), HostTensor.ofFloats(shape, sin)};
    }
}
