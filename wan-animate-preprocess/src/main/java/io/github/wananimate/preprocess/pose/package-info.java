/**
 * Whole-body pose: person detection and pose estimation with ONNX Runtime, heatmap decoding, subject selection over
 * time, retargeting to the reference's proportions, and the pose sequence file format.
 */
package io.github.wananimate.preprocess.pose;
