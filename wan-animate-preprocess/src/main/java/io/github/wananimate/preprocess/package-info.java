/**
 * Preprocessing a driving video and a reference image into the signals the model takes (the original's
 * {@code preprocess_data.py}, PIPELINE.md §3.1): {@link io.github.wananimate.preprocess.Preprocessor} runs detection, pose,
 * retargeting, face crops and masks and writes the official folder.
 */
package io.github.wananimate.preprocess;
