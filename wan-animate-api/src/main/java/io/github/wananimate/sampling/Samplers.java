package io.github.wananimate.sampling;

import java.util.List;
import java.util.Locale;

/** Builds a {@link Sampler} by name, with the schedule {@code wan/animate.py} builds for it. */
public final class Samplers {

    /** 'dpm++' is the default of {@code WanAnimate.generate()} (PIPELINE.md §4.2). */
    public static final String DEFAULT = FlowDpmSolverSampler.NAME;

    private static final List<String> NAMES =
            List.of(FlowDpmSolverSampler.NAME, FlowUniPcSampler.NAME, FlowEulerSampler.NAME);

    private Samplers() {
    }

    /** The accepted solver names: {@code dpm++}, {@code unipc}, {@code euler}. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether {@code name} (case-insensitive, surrounding blanks ignored) is a known solver. */
    public static boolean isKnown(String name) {
        return name != null && NAMES.contains(normalise(name));
    }

    /**
     * A fresh sampler for one clip.
     *
     * @throws IllegalArgumentException naming the unknown solver, or the bad step count or shift
     */
    public static Sampler create(String name, int steps, double shift) {
        String key = name == null ? "null" : normalise(name);
        return switch (key) {
            case FlowDpmSolverSampler.NAME -> FlowDpmSolverSampler.create(steps, shift);
            case FlowUniPcSampler.NAME -> FlowUniPcSampler.create(steps, shift);
            case FlowEulerSampler.NAME -> FlowEulerSampler.create(steps, shift);
            default -> throw new IllegalArgumentException("unknown solver '" + name + "', expected one of " + NAMES);
        };
    }

    /** The schedule the named solver uses. */
    public static FlowSchedule schedule(String name, int steps, double shift) {
        return FlowUniPcSampler.NAME.equals(normalise(name)) ? FlowSchedule.uniPc(steps, shift)
                : FlowSchedule.dpmSolver(steps, shift);
    }

    private static String normalise(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
