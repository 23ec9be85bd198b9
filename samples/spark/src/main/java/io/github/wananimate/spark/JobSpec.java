package io.github.wananimate.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One row of the job table, parsed and resolved on the driver: what to render and where to put it. Options left
 * empty in the table are null here and take the request's defaults (the demo's clip length and steps on the bundled
 * sample, as the CLI).
 *
 * @param id the row's identifier (unique in the table)
 * @param replacement {@code mode} = {@code replace}
 * @param character the character image URI (replaces the signals' reference image), or null
 * @param signals {@link #DEMO_SIGNALS}, the URI of an official preprocess folder, or of a raw driving video
 *     ({@link #rawVideo()})
 * @param output the mp4's URI, absolute
 * @param model the model folder (a local path: it is memory-mapped), or null for the demo weights
 * @param seed the noise seed: given, or derived from the id so that a retried task renders the same video
 */
public record JobSpec(String id, boolean replacement, String character, String signals, String output, String model,
        String backend, String device, String precision, Integer steps, String solver, Double shift,
        Double guideScale, long seed, Integer clipLength, Integer refert, Double fps, String prompt,
        String negativePrompt, boolean relight, Double relightStrength) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The {@code signals} value naming the bundled 13-frame sample. */
    public static final String DEMO_SIGNALS = "demo";
    /** Extensions of a {@code signals} value that is a raw video. */
    public static final List<String> VIDEO_EXTENSIONS = List.of(".mp4", ".mov", ".mkv", ".avi", ".webm");

    /** Whether the driving signals are the bundled sample. */
    public boolean demoSignals() {
        return DEMO_SIGNALS.equals(signals.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether {@code signals} names a raw driving video (by its extension), which the preprocessing stage turns into
     * an official preprocess folder before rendering.
     */
    public boolean rawVideo() {
        String name = signals.toLowerCase(Locale.ROOT);
        return VIDEO_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /**
     * This row rendering {@code folder}, the official preprocess folder made from its raw video; the folder's
     * {@code src_ref.png} is the character.
     */
    public JobSpec withSignals(String folder) {
        return new JobSpec(id, replacement, null, folder, output, model, backend, device, precision, steps, solver,
                shift, guideScale, seed, clipLength, refert, fps, prompt, negativePrompt, relight, relightStrength);
    }

    /** The mode as written in the table. */
    public String mode() {
        return replacement ? "replace" : "animate";
    }

    /**
     * The seed of a row without one: the id's {@link String#hashCode()} (defined by the language, so the same on
     * every JVM), non-negative.
     */
    public static long seedFor(String id) {
        return Integer.toUnsignedLong(id.hashCode());
    }
}
