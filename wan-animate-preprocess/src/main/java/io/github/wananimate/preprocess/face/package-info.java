/**
 * Face crops for the motion encoder: the face box from the whole-body keypoints and the 512×512 crop.
 */
package io.github.wananimate.preprocess.face;
