/**
 * Frames and frame sequences: 8-bit RGB images and the random-access sequences the driving signals and the output
 * are made of. Public API, below both the request types ({@code api}) and the pipeline that reads them.
 */
package io.github.wananimate.video;
