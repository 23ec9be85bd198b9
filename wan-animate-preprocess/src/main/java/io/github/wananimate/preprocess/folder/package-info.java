/**
 * The official preprocessing folder ({@code src_pose.mp4}, {@code src_face.mp4}, {@code src_ref.png}, masks):
 * its layout, a reader into {@link io.github.wananimate.api.MotionSignals} and a writer.
 */
package io.github.wananimate.preprocess.folder;
