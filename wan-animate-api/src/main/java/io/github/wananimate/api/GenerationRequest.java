package io.github.wananimate.api;

import io.github.wananimate.pipeline.ClipPlan;
import io.github.wananimate.sampling.FlowSchedule;
import io.github.wananimate.video.Frame;
import java.util.Objects;

/**
 * Settings shared by {@link AnimationRequest} and {@link ReplacementRequest}. Defaults are those of
 * {@code WanAnimate.generate()} (PIPELINE.md §2.13, §4.2); the CLI's differing defaults (refert 77, which fails,
 * and solver 'unipc') are not copied.
 */
public abstract class GenerationRequest {

    /** The config prompt used when the prompt is empty (§2.13): "the person in the video is doing actions". */
    public static final String DEFAULT_PROMPT = "视频中的人在做动作";
    /** The shared Wan negative prompt used when the negative prompt is empty (§2.13); only matters with CFG. */
    public static final String DEFAULT_NEGATIVE_PROMPT = "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，"
            + "整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，"
            + "形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";
    /** Frames per clip when none is set ({@code frame_num} of the original). */
    public static final int DEFAULT_CLIP_LENGTH = 77;
    /** Frames carried into the next clip when none is set ({@code refert_num} of the original). */
    public static final int DEFAULT_CONTINUATION_FRAMES = 1;
    /** Denoising steps per clip when none is set ({@code sample_steps}). */
    public static final int DEFAULT_STEPS = 20;
    /** Schedule shift when none is set ({@code sample_shift}). */
    public static final double DEFAULT_SHIFT = 5.0;
    /** Guidance scale when none is set ({@code sample_guide_scale}): 1, no unconditional pass. */
    public static final double DEFAULT_GUIDE_SCALE = 1.0;
    /** Solver when none is set ({@code sample_solver}). */
    public static final Solver DEFAULT_SOLVER = Solver.DPM_PP;
    /** Seed value meaning "pick a random seed" (it is reported in {@link GenerationResult#seed()}). */
    public static final long RANDOM_SEED = -1;

    /**
     * The longest clip: 13 times the trained 77 frames. One clip's pixels, latents and tokens are held at once, so
     * this bounds their memory; a longer video is cut into more clips, not longer ones.
     */
    public static final int MAX_CLIP_LENGTH = 1001;
    /** The largest generation width or height (the 14B model is trained at 1280×720). */
    public static final int MAX_SIDE = 4096;

    private final MotionSignals signals;
    private final String prompt;
    private final String negativePrompt;
    private final int clipLength;
    private final int continuationFrames;
    private final int steps;
    private final double shift;
    private final double guideScale;
    private final Solver solver;
    private final long seed;
    private final double outputFps;

    GenerationRequest(Builder<?, ?> b) {
        this.signals = b.signals;
        this.prompt = b.prompt == null || b.prompt.isBlank() ? DEFAULT_PROMPT : b.prompt;
        this.negativePrompt = b.negativePrompt == null || b.negativePrompt.isBlank() ? DEFAULT_NEGATIVE_PROMPT
                : b.negativePrompt;
        this.clipLength = b.clipLength;
        this.continuationFrames = b.continuationFrames;
        this.steps = b.steps;
        this.shift = b.shift;
        this.guideScale = b.guideScale;
        this.solver = Solver.of(b.solver);
        this.seed = b.seed;
        this.outputFps = b.outputFps != null ? b.outputFps : b.signals.fps();
    }

    /** {@return the driving signals and the reference character} */
    public MotionSignals signals() {
        return signals;
    }

    /** {@return the prompt, {@link #DEFAULT_PROMPT} when none (or a blank one) was given} */
    public String prompt() {
        return prompt;
    }

    /** {@return the negative prompt, {@link #DEFAULT_NEGATIVE_PROMPT} when none was given. Used only with CFG} */
    public String negativePrompt() {
        return negativePrompt;
    }

    /** {@return frames per clip, 4n+1 ({@code frame_num}, default 77)} */
    public int clipLength() {
        return clipLength;
    }

    /**
     * Frames each clip after the first takes from the end of what was generated before it, 1 or 5 (the original's
     * {@code refert_num}, default 1).
     *
     * @return 1 or 5
     */
    public int continuationFrames() {
        return continuationFrames;
    }

    /** {@return denoising steps per clip (default 20)} */
    public int steps() {
        return steps;
    }

    /** {@return schedule shift (default 5.0)} */
    public double shift() {
        return shift;
    }

    /** {@return classifier-free guidance scale (default 1.0); guidance runs only when it is greater than 1} */
    public double guideScale() {
        return guideScale;
    }

    /** {@return whether the unconditional pass runs (guide scale > 1, §2.10)} */
    public boolean usesGuidance() {
        return guideScale > 1;
    }

    /** {@return the solver: {@link Solver#DPM_PP} (default), {@link Solver#UNIPC} or {@link Solver#EULER}} */
    public Solver solver() {
        return solver;
    }

    /** {@return the seed, or {@link #RANDOM_SEED}} */
    public long seed() {
        return seed;
    }

    /**
     * Frame rate the output is meant to play at: by default the driving signals' {@link MotionSignals#fps()}, so
     * that timing and audio line up with the driving video (the original's {@code cfg.sample_fps} is a fixed 30,
     * which equals its preprocessing default; §2.12).
     *
     * @return frames per second, > 0
     */
    public double outputFps() {
        return outputFps;
    }

    /** {@return whether this is a replacement request} */
    public abstract boolean isReplacement();

    /** {@return number of frames to generate: the driving frame count} */
    public int frameCount() {
        return signals.frameCount();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + signals + ", clipLength " + clipLength
                + ", continuationFrames " + continuationFrames
                + ", solver " + solver + ", steps " + steps + ", shift " + shift + ", guideScale " + guideScale
                + ", seed " + seed + "}";
    }

    /**
     * Fluent builder; {@code build()} validates every field at once and throws {@link InvalidRequestException}
     * naming each bad field and its value.
     */
    public abstract static class Builder<R extends GenerationRequest, B extends Builder<R, B>> {

        private final MotionSignals signals;
        private String prompt = "";
        private String negativePrompt = "";
        private int clipLength = DEFAULT_CLIP_LENGTH;
        private int continuationFrames = DEFAULT_CONTINUATION_FRAMES;
        private int steps = DEFAULT_STEPS;
        private double shift = DEFAULT_SHIFT;
        private double guideScale = DEFAULT_GUIDE_SCALE;
        private String solver = DEFAULT_SOLVER.id();
        private long seed = RANDOM_SEED;
        private Double outputFps;

        Builder(MotionSignals signals) {
            this.signals = Objects.requireNonNull(signals, "signals");
        }

        abstract B self();

        abstract R create();

        abstract String what();

        /** Checks specific to the request kind. */
        void validateKind(Validation v) {
        }

        /**
         * The prompt (§2.13).
         *
         * @param text the prompt; empty or blank: {@link #DEFAULT_PROMPT}
         * @return this builder
         */
        public B prompt(String text) {
            this.prompt = text;
            return self();
        }

        /**
         * The negative prompt, used only with guidance.
         *
         * @param text the negative prompt; empty: {@link #DEFAULT_NEGATIVE_PROMPT}
         * @return this builder
         */
        public B negativePrompt(String text) {
            this.negativePrompt = text;
            return self();
        }

        /**
         * Frames per clip (default {@link #DEFAULT_CLIP_LENGTH}).
         *
         * @param frames 4n+1, greater than the continuation frames
         * @return this builder
         */
        public B clipLength(int frames) {
            this.clipLength = frames;
            return self();
        }

        /**
         * Frames each clip takes from the previous one: 1 or 5 (the original's {@code refert_num}).
         *
         * @param frames 1 or 5
         * @return this builder
         */
        public B continuationFrames(int frames) {
            this.continuationFrames = frames;
            return self();
        }

        /**
         * Denoising steps per clip (default {@link #DEFAULT_STEPS}).
         *
         * @param count 1 to 1000
         * @return this builder
         */
        public B steps(int count) {
            this.steps = count;
            return self();
        }

        /**
         * The flow schedule's shift (default {@link #DEFAULT_SHIFT}).
         *
         * @param value a finite number > 0
         * @return this builder
         */
        public B shift(double value) {
            this.shift = value;
            return self();
        }

        /**
         * Classifier-free guidance scale (default {@link #DEFAULT_GUIDE_SCALE}).
         *
         * @param value finite, ≥ 0; above 1 the unconditional pass runs
         * @return this builder
         */
        public B guideScale(double value) {
            this.guideScale = value;
            return self();
        }

        /**
         * The solver (default {@link Solver#DPM_PP}).
         *
         * @param value the solver
         * @return this builder
         */
        public B solver(Solver value) {
            this.solver = java.util.Objects.requireNonNull(value, "solver").id();
            return self();
        }

        /**
         * The solver by its official name ({@code dpm++}, {@code unipc}, {@code euler}; checked at build()).
         *
         * @param name {@code dpm++}, {@code unipc} or {@code euler}
         * @return this builder
         */
        public B solver(String name) {
            this.solver = name;
            return self();
        }

        /**
         * A seed ≥ 0, or {@link #RANDOM_SEED}.
         *
         * @param value the seed
         * @return this builder
         */
        public B seed(long value) {
            this.seed = value;
            return self();
        }

        /**
         * Frame rate of the output (default: the driving signals' fps).
         *
         * @param framesPerSecond a finite number > 0
         * @return this builder
         */
        public B outputFps(double framesPerSecond) {
            this.outputFps = framesPerSecond;
            return self();
        }

        /**
         * Validates every setting at once.
         *
         * @return the immutable request
         * @throws InvalidRequestException listing every problem, each with its field and value
         */
        public R build() {
            Validation v = new Validation(what());
            int width = signals.width();
            int height = signals.height();
            v.check(width % 16 == 0, "width", width,
                    "the generation width (the pose frame width) must be a multiple of 16");
            v.check(width <= MAX_SIDE, "width", width, "must be at most " + MAX_SIDE);
            v.check(height % 16 == 0, "height", height,
                    "the generation height (the pose frame height) must be a multiple of 16");
            v.check(height <= MAX_SIDE, "height", height, "must be at most " + MAX_SIDE);
            v.check(continuationFrames == 1 || continuationFrames == 5, "continuationFrames", continuationFrames,
                    "must be 1 or 5");
            v.check(clipLength >= 5 && clipLength % 4 == 1, "clipLength", clipLength,
                    "must be 4n+1 with n >= 1 (5, 9, ..., 77, 81)");
            v.check(clipLength <= MAX_CLIP_LENGTH, "clipLength", clipLength, "must be at most " + MAX_CLIP_LENGTH
                    + " (a longer video is cut into more clips)");
            // A clip must step forward. With L − r < r (L = 9, r = 5) the original runs two clips and fails on a
            // third; the pipeline then carries the last r frames generated so far (WanAnimatePipeline).
            v.check(clipLength > continuationFrames, "clipLength", clipLength,
                    "must be greater than continuationFrames (" + continuationFrames + ")");
            v.check(signals.frameCount() > continuationFrames, "frameCount", signals.frameCount(),
                    "needs more driving frames than continuationFrames (" + continuationFrames
                            + "), otherwise no clip is generated");
            v.check(signals.frameCount() <= ClipPlan.MAX_FRAMES, "frameCount", signals.frameCount(),
                    "must be at most " + ClipPlan.MAX_FRAMES);
            v.check(steps >= 1 && steps <= FlowSchedule.MAX_STEPS, "steps", steps,
                    "must be in 1.." + FlowSchedule.MAX_STEPS);
            v.check(Double.isFinite(shift) && shift > 0, "shift", shift, "must be a finite number > 0");
            v.check(Double.isFinite(guideScale) && guideScale >= 1, "guideScale", guideScale,
                    "must be a finite number >= 1 (guidance runs only above 1)");
            v.check(Solver.find(solver).isPresent(), "solver", solver, "must be one of " + Solver.names());
            v.check(seed >= 0 || seed == RANDOM_SEED, "seed", seed, "must be >= 0, or -1 for a random seed");
            v.check(outputFps == null || Double.isFinite(outputFps) && outputFps > 0, "outputFps", outputFps,
                    "must be a finite number > 0");
            validateKind(v);
            v.throwIfAny();
            return create();
        }

        MotionSignals signals() {
            return signals;
        }
    }
}
