package io.github.wananimate.samples;

/**
 * The pose models' paths inside the original's {@code process_checkpoint} folder (its {@code --ckpt_path},
 * PIPELINE.md §4.3), for every application that preprocesses raw videos ({@code preprocess}, the Spark batch).
 */
public final class ProcessCheckpoint {

    /** The person detector. */
    public static final String DETECTOR = "det/yolov10m.onnx";
    /** The whole-body pose model. */
    public static final String POSE_MODEL = "pose2d/vitpose_h_wholebody.onnx";

    private ProcessCheckpoint() {
    }
}
