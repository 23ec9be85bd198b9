/**
 * Video in and out through FFmpeg (JavaCV): frame reading and sampling at a target fps, H.264 writing, and
 * {@link io.github.wananimate.preprocess.video.Mp4FrameSink}, which streams generated frames to an mp4.
 */
package io.github.wananimate.preprocess.video;
