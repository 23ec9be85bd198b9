/**
 * Replacement masks: the keypoint-hull mask, the SAM2 segmentation model, and the original's mask post-processing.
 */
package io.github.wananimate.preprocess.mask;
