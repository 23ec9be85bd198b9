package io.github.wananimate.nn.clip;

/**
 * Shape of the CLIP vision tower (NETWORKS.md §5). {@code embedDim} is the width of the unused projection
 * {@code head}; it only matters for validating that tensor.
 */
public record ClipVisionConfig(int imageSize, int patchSize, int dim, int numHeads, int numLayers, int mlpRatio,
        int embedDim) {

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

    /** The image tower of {@code open-clip-xlm-roberta-large-vit-huge-14} as used by Wan-Animate. */
    public static ClipVisionConfig vitHuge14() {
        return new ClipVisionConfig(224, 14, 1280, 16, 32, 4, 1024);
    }

    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Patches plus the class token: 257 for ViT-H/14 at 224. */
    public int tokenCount() {
        return gridSize() * gridSize() + 1;
    }

    public int headDim() {
        return dim / numHeads;
    }

    public int mlpDim() {
        return dim * mlpRatio;
    }
}
