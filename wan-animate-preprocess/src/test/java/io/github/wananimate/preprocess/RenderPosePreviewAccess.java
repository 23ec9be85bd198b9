package io.github.wananimate.preprocess;

import io.github.wananimate.preprocess.pose.WholeBody;

/** Lets other test packages use the preview's hand-made skeleton. */
public final class RenderPosePreviewAccess {

    private RenderPosePreviewAccess() {
    }

    public static WholeBody skeleton(int width, int height) {
        return RenderPosePreview.handMadeSkeleton(width, height);
    }
}
