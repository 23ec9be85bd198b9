package io.github.wananimate.api;

import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.util.List;
import java.util.Optional;

/**
 * The driving signals of a generation, as the official preprocessing produces them (PIPELINE.md §2.1): rendered
 * pose frames (their size is the generation size), 512×512 face crops with the same frame count, the reference
 * (character) image, and for replacement the character mask and the background frames, both at the pose size and
 * with the pose frame count. Built from frames in memory with {@link #builder()}, or read from a preprocessing
 * folder by a {@link MotionSignalsReader}.
 */
public final class MotionSignals {

    /** Side of the square face crops. */
    public static final int FACE_SIZE = 512;
    /** The preprocessing default frame rate. */
    public static final double DEFAULT_FPS = 30.0;

    private final FrameSequence pose;
    private final FrameSequence face;
    private final FrameSequence mask;
    private final FrameSequence background;
    private final Frame reference;
    private final double fps;

    private MotionSignals(Builder b) {
        this.pose = b.pose;
        this.face = b.face;
        this.mask = b.mask;
        this.background = b.background;
        this.reference = b.reference;
        this.fps = b.fps;
    }

    /** {@return an empty builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return rendered skeleton frames; their size defines the generation size} */
    public FrameSequence pose() {
        return pose;
    }

    /** {@return 512×512 face crops, one per pose frame} */
    public FrameSequence face() {
        return face;
    }

    /** {@return character mask frames (replacement only); the red channel / 255 is the mask, 1 = character} */
    public Optional<FrameSequence> mask() {
        return Optional.ofNullable(mask);
    }

    /** {@return driving frames with the character painted black (replacement only)} */
    public Optional<FrameSequence> background() {
        return Optional.ofNullable(background);
    }

    /** {@return the character image, any size (letterboxed to the generation size)} */
    public Frame reference() {
        return reference;
    }

    /** {@return frame rate of the driving video after preprocessing} */
    public double fps() {
        return fps;
    }

    /** {@return number of driving frames (N_real)} */
    public int frameCount() {
        return pose.size();
    }

    /** {@return the width of the pose frames, the generation's width} */
    public int width() {
        return pose.width();
    }

    /** {@return the height of the pose frames, the generation's height} */
    public int height() {
        return pose.height();
    }

    /** {@return whether mask and background are present, as replacement needs} */
    public boolean supportsReplacement() {
        return mask != null && background != null;
    }

    @Override
    public String toString() {
        return "MotionSignals{" + frameCount() + " frames of " + width() + "x" + height() + " at " + fps + " fps"
                + (supportsReplacement() ? ", with mask and background" : "") + "}";
    }

    /** Builds {@link MotionSignals}; {@link #build()} validates everything at once. */
    public static final class Builder {

        private FrameSequence pose;
        private FrameSequence face;
        private FrameSequence mask;
        private FrameSequence background;
        private Frame reference;
        private double fps = DEFAULT_FPS;

        private Builder() {
        }

        /**
         * The pose frames.
         *
         * @param frames rendered skeleton frames (required); their size is the generation size
         * @return this builder
         */
        public Builder pose(FrameSequence frames) {
            this.pose = frames;
            return this;
        }

        /**
         * The pose frames, held in memory.
         *
         * @param frames rendered skeleton frames (required); their size is the generation size
         * @return this builder
         */
        public Builder pose(List<Frame> frames) {
            return pose(FrameSequence.of(frames));
        }

        /**
         * The face frames.
         *
         * @param frames 512×512 face crops, one per pose frame (required)
         * @return this builder
         */
        public Builder face(FrameSequence frames) {
            this.face = frames;
            return this;
        }

        /**
         * The face frames, held in memory.
         *
         * @param frames 512×512 face crops, one per pose frame (required)
         * @return this builder
         */
        public Builder face(List<Frame> frames) {
            return face(FrameSequence.of(frames));
        }

        /**
         * The mask frames.
         *
         * @param frames character masks, one per pose frame (replacement)
         * @return this builder
         */
        public Builder mask(FrameSequence frames) {
            this.mask = frames;
            return this;
        }

        /**
         * The mask frames, held in memory.
         *
         * @param frames character masks, one per pose frame (replacement)
         * @return this builder
         */
        public Builder mask(List<Frame> frames) {
            return mask(FrameSequence.of(frames));
        }

        /**
         * The background frames.
         *
         * @param frames driving frames with the character blacked out, one per pose frame (replacement)
         * @return this builder
         */
        public Builder background(FrameSequence frames) {
            this.background = frames;
            return this;
        }

        /**
         * The background frames, held in memory.
         *
         * @param frames driving frames with the character blacked out, one per pose frame (replacement)
         * @return this builder
         */
        public Builder background(List<Frame> frames) {
            return background(FrameSequence.of(frames));
        }

        /**
         * The character image.
         *
         * @param image the character, any size (required)
         * @return this builder
         */
        public Builder reference(Frame image) {
            this.reference = image;
            return this;
        }

        /**
         * Frame rate of the driving video after preprocessing (default {@link #DEFAULT_FPS}).
         *
         * @param framesPerSecond a finite number > 0
         * @return this builder
         */
        public Builder fps(double framesPerSecond) {
            this.fps = framesPerSecond;
            return this;
        }

        /**
         * Validates every input at once.
         *
         * @return the immutable signals
         * @throws InvalidRequestException listing every problem, each with its field and value
         */
        public MotionSignals build() {
            Validation v = new Validation("motion signals");
            v.check(pose != null, "pose", null, "pose frames are required");
            v.check(face != null, "face", null, "face frames are required");
            v.check(reference != null, "reference", null, "the reference image is required");
            v.check(Double.isFinite(fps) && fps > 0, "fps", fps, "must be a finite number > 0");
            if (face != null) {
                v.check(face.width() == FACE_SIZE && face.height() == FACE_SIZE, "face",
                        face.width() + "x" + face.height(), "face crops must be " + FACE_SIZE + "x" + FACE_SIZE);
            }
            if (pose != null) {
                if (face != null) {
                    v.check(face.size() == pose.size(), "face", face.size() + " frames",
                            "must have as many frames as pose (" + pose.size() + ")");
                }
                checkLikePose(v, "mask", mask);
                checkLikePose(v, "background", background);
            }
            v.check((mask == null) == (background == null), mask == null ? "mask" : "background", null,
                    "mask and background go together (replacement needs both)");
            v.throwIfAny();
            return new MotionSignals(this);
        }

        private void checkLikePose(Validation v, String field, FrameSequence frames) {
            if (frames == null) {
                return;
            }
            v.check(frames.size() == pose.size(), field, frames.size() + " frames",
                    "must have as many frames as pose (" + pose.size() + ")");
            v.check(frames.width() == pose.width() && frames.height() == pose.height(), field,
                    frames.width() + "x" + frames.height(),
                    "must have the pose size " + pose.width() + "x" + pose.height());
        }
    }
}
