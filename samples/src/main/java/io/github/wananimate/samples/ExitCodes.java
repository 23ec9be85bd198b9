package io.github.wananimate.samples;

import io.github.wananimate.api.FrameSinkException;
import io.github.wananimate.api.GenerationCancelledException;
import io.github.wananimate.api.InvalidRequestException;
import io.github.wananimate.errors.BackendUnavailableException;
import io.github.wananimate.errors.ModelFileException;
import io.github.wananimate.parity.FixtureException;
import io.github.wananimate.preprocess.video.VideoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine.ParameterException;

/** The exit codes of {@code wan-animate}, and which failure gives which. */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** A parity output above tolerance, or a request / input that failed validation. */
    public static final int VALIDATION_FAILED = 1;
    /** Usage error: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** A model or input file is missing, unreadable or malformed. */
    public static final int FILE_PROBLEM = 3;
    /** The requested backend is not on the classpath or its native runtime cannot start. */
    public static final int BACKEND_UNAVAILABLE = 4;
    /** Cancelled (Ctrl-C), as shells report SIGINT. */
    public static final int CANCELLED = 130;
    /** Cancelled by SIGTERM, as shells report it (the unfinished output is removed as for Ctrl-C). */
    public static final int TERMINATED = 143;

    /** The {@code --help} footer of every command. */
    static final String[] FOOTER = {
        "",
        "Exit codes:",
        "  0    success",
        "  1    parity above tolerance, or a request/input failed validation",
        "  2    usage error (unknown option, missing or bad argument), or an unexpected",
        "       failure (-Dwananimate.stacktrace=true prints its stack trace)",
        "  3    a model or input file is missing, unreadable or malformed, or the output",
        "       cannot be written (checked before any model is loaded)",
        "  4    backend not on the classpath, or its native runtime cannot start",
        "  130  cancelled (Ctrl-C)",
        "  143  cancelled by SIGTERM"};

    private ExitCodes() {
    }

    /** The exit code for a failure, by the first cause in the chain that decides it. */
    public static int of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ParameterException) {
                return USAGE;
            }
            if (t instanceof GenerationCancelledException) {
                return Interrupts.cancelExitCode();
            }
            if (t instanceof BackendUnavailableException) {
                return BACKEND_UNAVAILABLE;
            }
            if (t instanceof InvalidRequestException || t instanceof InputRejectedException) {
                return VALIDATION_FAILED;
            }
            if (t instanceof ModelFileException || t instanceof FixtureException || t instanceof IOException
                    || t instanceof UncheckedIOException || t instanceof InputFileException
                    || t instanceof VideoException || t instanceof FrameSinkException) {
                return FILE_PROBLEM;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return USAGE;
    }
}
