package io.github.wananimate.nn.t5;

import io.github.wananimate.weights.ParameterSource;

/** Shape of the umT5 encoder (NETWORKS.md §6). Relative position bias is per layer (not shared) and bidirectional. */
public record UMT5Config(int vocabSize, int dim, int dimAttn, int dimFfn, int numHeads, int numLayers,
        int numBuckets, int maxDistance) {

    /**
     * Checks the sizes.
     *
     * @param vocabSize vocab size
     * @param dim dim
     * @param dimAttn dim attn
     * @param dimFfn dim ffn
     * @param numHeads num heads
     * @param numLayers num layers
     * @param numBuckets num buckets
     * @param maxDistance max distance
     */
    public UMT5Config {
        if (dimAttn % numHeads != 0) {
            throw new IllegalArgumentException("attention dim " + dimAttn + " is not divisible by " + numHeads
                    + " heads");
        }
    }

    /** {@return {@code models_t5_umt5-xxl-enc-bf16.pth}: 24 layers of width 4096, 64 heads, FFN 10240} */
    public static UMT5Config umt5Xxl() {
        return new UMT5Config(256384, 4096, 4096, 10240, 64, 24, 32, 128);
    }

    /**
     * The encoder stored in {@code checkpoint} (official umT5 keys): vocabulary and width from the token embedding,
     * attention and FFN widths from block 0, buckets and heads from its relative position table, layers from the block
     * count; the maximum distance (not stored) is umT5's 128. {@link #umt5Xxl()} when a key it reads is absent, so
     * that binding then names every missing key.
     *
     * @param checkpoint the checkpoint
     * @return the result
     */
    public static UMT5Config fromCheckpoint(ParameterSource checkpoint) {
        String embedding = "token_embedding.weight";
        String q = "blocks.0.attn.q.weight";
        String fc1 = "blocks.0.ffn.fc1.weight";
        String positions = "blocks.0.pos_embedding.embedding.weight";
        if (!checkpoint.contains(embedding) || !checkpoint.contains(q) || !checkpoint.contains(fc1)
                || !checkpoint.contains(positions)) {
            return umt5Xxl();
        }
        int layers = 0;
        while (checkpoint.contains("blocks." + layers + ".attn.q.weight")) {
            layers++;
        }
        long[] table = checkpoint.shape(positions);
        return new UMT5Config((int) checkpoint.shape(embedding)[0], (int) checkpoint.shape(embedding)[1],
                (int) checkpoint.shape(q)[0], (int) checkpoint.shape(fc1)[0], (int) table[1], layers, (int) table[0],
                128);
    }

    /** {@return width of one attention head} */
    public int headDim() {
        return dimAttn / numHeads;
    }
}
