/**
 * Drawing pose keypoints and limbs into the pose video the model is conditioned on, as the original renders them.
 */
package io.github.wananimate.preprocess.render;
