package io.github.wananimate.spark;

import io.github.wananimate.preprocess.Preprocessor;
import io.github.wananimate.samples.ProcessCheckpoint;
import java.io.Serializable;

/**
 * How rows whose signals are raw videos are preprocessed.
 *
 * @param poseModels the {@code process_checkpoint} folder (local on every executor) with
 *     {@link ProcessCheckpoint#DETECTOR} and {@link ProcessCheckpoint#POSE_MODEL}
 * @param fps preprocessing frame rate (≤ 0 keeps the video's)
 * @param area pixel area of the generation size
 */
public record Preprocessing(String poseModels, double fps, long area) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The original's defaults: 30 fps, 1280·720. */
    public static Preprocessing defaults(String poseModels) {
        Preprocessor.Options o = Preprocessor.Options.defaults();
        return new Preprocessing(poseModels, o.fps(), o.area());
    }
}
