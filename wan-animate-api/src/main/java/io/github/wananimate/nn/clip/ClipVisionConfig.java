package io.github.wananimate.nn.clip;

import io.github.wananimate.weights.ParameterSource;

/**
 * Shape of the CLIP vision tower (NETWORKS.md §5). {@code embedDim} is the width of the unused projection
 * {@code head}; it only matters for validating that tensor.
 */
public record ClipVisionConfig(int imageSize, int patchSize, int dim, int numHeads, int numLayers, int mlpRatio,
        int embedDim) {

    /**
     * Checks that the sizes divide.
     *
     * @param imageSize image size
     * @param patchSize patch size
     * @param dim dim
     * @param numHeads num heads
     * @param numLayers num layers
     * @param mlpRatio mlp ratio
     * @param embedDim embed dim
     */
    public ClipVisionConfig {
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch " + patchSize);
        }
        if (dim % numHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by " + numHeads + " heads");
        }
        if (numLayers < 2) {
            throw new IllegalArgumentException("Animate runs layers - 1 blocks, so at least 2 layers are needed, got "
                    + numLayers);
        }
    }

    /** {@return the image tower of {@code open-clip-xlm-roberta-large-vit-huge-14} as used by Wan-Animate} */
    public static ClipVisionConfig vitHuge14() {
        return new ClipVisionConfig(224, 14, 1280, 16, 32, 4, 1024);
    }

    /**
     * The tower stored in {@code checkpoint} ({@code visual.*} keys): width and patch from the patch embedding, image
     * size from the position table, layers from the block count, MLP ratio from the first MLP, projection width from
     * {@code head}. The head count is not stored; ViT-H/14's head width of 80 is assumed. {@link #vitHuge14()} when the
     * patch embedding or position table is absent, so that binding then names every missing key.
     *
     * @param checkpoint the checkpoint
     * @return the result
     */
    public static ClipVisionConfig fromCheckpoint(ParameterSource checkpoint) {
        String patch = ClipVisionEncoder.PREFIX + "patch_embedding.weight";
        String positions = ClipVisionEncoder.PREFIX + "pos_embedding";
        ClipVisionConfig official = vitHuge14();
        if (!checkpoint.contains(patch) || !checkpoint.contains(positions)) {
            return official;
        }
        int dim = (int) checkpoint.shape(patch)[0];
        int patchSize = (int) checkpoint.shape(patch)[2];
        int grid = (int) Math.round(Math.sqrt(checkpoint.shape(positions)[1] - 1));
        String block = ClipVisionEncoder.PREFIX + "transformer.";
        int layers = 0;
        while (checkpoint.contains(block + layers + ".norm1.weight")) {
            layers++;
        }
        String mlp = block + "0.mlp.0.weight";
        int mlpRatio = checkpoint.contains(mlp) ? (int) (checkpoint.shape(mlp)[0] / dim) : official.mlpRatio();
        String head = ClipVisionEncoder.PREFIX + "head";
        int embedDim = checkpoint.contains(head) ? (int) checkpoint.shape(head)[1] : official.embedDim();
        int heads = dim % VIT_H_HEAD_DIM == 0 ? dim / VIT_H_HEAD_DIM : official.numHeads();
        return new ClipVisionConfig(grid * patchSize, patchSize, dim, heads, layers, mlpRatio, embedDim);
    }

    private static final int VIT_H_HEAD_DIM = 80;

    /** {@return patches per side} */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /**
     * Patches plus the class token: 257 for ViT-H/14 at 224.
     *
     * @return the result
     */
    public int tokenCount() {
        return gridSize() * gridSize() + 1;
    }

    /** {@return width of one attention head} */
    public int headDim() {
        return dim / numHeads;
    }

    /** {@return width of the MLP's hidden layer} */
    public int mlpDim() {
        return dim * mlpRatio;
    }
}
