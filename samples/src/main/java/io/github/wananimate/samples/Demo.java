package io.github.wananimate.samples;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.WanAnimate;

/**
 * The built-in demo for other applications on this module (the Spark batch application): the demo weights, the
 * bundled driving sample and the settings the {@code animate}/{@code replace} commands use on it, so that they are
 * defined once.
 */
public final class Demo {

    /** Frames per clip on the bundled sample (13 frames in 2 clips of 9, refert 1). */
    public static final int CLIP_LENGTH = GenerateCommand.DEMO_CLIP_LENGTH;
    /** Denoising steps per clip on the bundled sample. */
    public static final int STEPS = GenerateCommand.DEMO_STEPS;

    private Demo() {
    }

    /**
     * A builder holding the demo weights ({@code ProceduralModel.tiny}, generated in memory, float32 conditioning);
     * set the backend and device, then build.
     */
    public static WanAnimate.Builder weights() {
        return Models.demoBuilder();
    }

    /**
     * The bundled 13-frame sample at the demo size (112×64): pose, face and reference; with {@code replacement},
     * also the person-box mask and the background.
     */
    public static MotionSignals signals(boolean replacement) {
        DemoSample sample = DemoSample.load();
        return replacement ? sample.replacementSignals() : sample.signals();
    }
}
