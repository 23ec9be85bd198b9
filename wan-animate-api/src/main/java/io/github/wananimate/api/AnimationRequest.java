package io.github.wananimate.api;

/**
 * Animation mode: the reference character performs the driving motion (pose and face signals) on the
 * reference's background. Mask and background signals, if present, are ignored.
 */
public final class AnimationRequest extends GenerationRequest {

    private AnimationRequest(Builder b) {
        super(b);
    }

    /**
     * Starts an animation request.
     *
     * @param signals the driving signals and the reference character
     * @return a builder with every setting at the original's default
     */
    public static Builder builder(MotionSignals signals) {
        return new Builder(signals);
    }

    /** {@return false} */
    @Override
    public boolean isReplacement() {
        return false;
    }

    /** Builder of {@link AnimationRequest}; see {@link GenerationRequest.Builder}. */
    public static final class Builder extends GenerationRequest.Builder<AnimationRequest, Builder> {

        private Builder(MotionSignals signals) {
            super(signals);
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        AnimationRequest create() {
            return new AnimationRequest(this);
        }

        @Override
        String what() {
            return "animation request";
        }
    }
}
