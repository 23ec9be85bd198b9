package io.github.wananimate.preprocess.folder;

/** File names of the official preprocessing output folder (PIPELINE.md §3.13). */
public final class PreprocessFolder {

    public static final String POSE = "src_pose.mp4";
    public static final String FACE = "src_face.mp4";
    public static final String REFERENCE = "src_ref.png";
    public static final String BACKGROUND = "src_bg.mp4";
    public static final String MASK = "src_mask.mp4";

    private PreprocessFolder() {
    }
}
