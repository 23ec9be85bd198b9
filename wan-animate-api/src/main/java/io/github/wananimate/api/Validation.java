package io.github.wananimate.api;

import java.util.ArrayList;
import java.util.List;

/** Collects validation problems and throws them together. */
final class Validation {

    private final String what;
    private final List<InvalidRequestException.Problem> problems = new ArrayList<>();

    Validation(String what) {
        this.what = what;
    }

    void check(boolean ok, String field, Object value, String message) {
        if (!ok) {
            problems.add(new InvalidRequestException.Problem(field, String.valueOf(value), message));
        }
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(what, problems);
        }
    }
}
