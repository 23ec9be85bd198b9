package io.github.wananimate.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The flow-matching solvers of the original (PIPELINE.md §4.2), by their official names. */
public enum Solver {
    /** {@code dpm++}: multistep DPM-Solver++ (the original's default). */
    DPM_PP("dpm++"),
    /** {@code unipc}: UniPC multistep. */
    UNIPC("unipc"),
    /** {@code euler}: first-order Euler steps on the same schedule. */
    EULER("euler");

    private final String id;

    Solver(String id) {
        this.id = id;
    }

    /** {@return the official name ({@code dpm++}, {@code unipc}, {@code euler}), as the CLI and job tables write it} */
    public String id() {
        return id;
    }

    /**
     * The solver named {@code name} (case-insensitive, surrounding blanks ignored), if there is one.
     *
     * @param name a name, any case; null finds nothing
     * @return the solver, if there is one
     */
    public static Optional<Solver> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.id.equals(key)).findFirst();
    }

    /**
     * The solver named {@code name}.
     *
     * @param name a name, any case
     * @throws IllegalArgumentException naming the value and the accepted names
     * @return the solver
     */
    public static Solver of(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown solver '" + name
                + "', expected one of " + names()));
    }

    /** {@return the accepted names, in declaration order} */
    public static List<String> names() {
        return Arrays.stream(values()).map(Solver::id).toList();
    }

    @Override
    public String toString() {
        return id;
    }
}
