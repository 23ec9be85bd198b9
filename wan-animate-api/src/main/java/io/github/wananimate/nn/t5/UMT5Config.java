package io.github.wananimate.nn.t5;

/** Shape of the umT5 encoder (NETWORKS.md §6). Relative position bias is per layer (not shared) and bidirectional. */
public record UMT5Config(int vocabSize, int dim, int dimAttn, int dimFfn, int numHeads, int numLayers,
        int numBuckets, int maxDistance) {

    public UMT5Config {
        if (dimAttn % numHeads != 0) {
            throw new IllegalArgumentException("attention dim " + dimAttn + " is not divisible by " + numHeads
                    + " heads");
        }
    }

    /** {@code models_t5_umt5-xxl-enc-bf16.pth}: 24 layers of width 4096, 64 heads, FFN 10240. */
    public static UMT5Config umt5Xxl() {
        return new UMT5Config(256384, 4096, 4096, 10240, 64, 24, 32, 128);
    }

    public int headDim() {
        return dimAttn / numHeads;
    }
}
