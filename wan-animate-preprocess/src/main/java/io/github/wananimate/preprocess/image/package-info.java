/**
 * RGB images and frames: decoding image files with size checks, resizing as the original does, and the OpenCV
 * bridge.
 */
package io.github.wananimate.preprocess.image;
