package io.github.wananimate.api;

import io.github.wananimate.errors.WanAnimateException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A request or its inputs failed validation. Every problem found is reported at once; each names the field and
 * the offending value.
 */
public final class InvalidRequestException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /** One failed rule: the field, its value as text, and what is wrong. */
    public record Problem(String field, String value, String message) {
        @Override
        public String toString() {
            return field + " = " + value + ": " + message;
        }
    }

    private final transient List<Problem> problems;

    InvalidRequestException(String what, List<Problem> problems) {
        super(what + " is invalid: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    /** {@return every failed rule, in the order checked} */
    public List<Problem> problems() {
        return problems;
    }
}
