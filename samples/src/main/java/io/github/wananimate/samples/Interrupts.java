package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a generation: the first signal cancels the token, so the pipeline stops at its
 * next model call and the command unwinds normally (backend closed, unfinished mp4 discarded), exiting 130 for
 * SIGINT and 143 for SIGTERM, as shells report them; a second one exits at once. Handling the signals instead of a
 * shutdown hook matters: ONNX Runtime closes its environment in its own shutdown hook, which would pull the native
 * runtime from under a running session.
 */
final class Interrupts {

    /** The exit code of a cancelled run: 130 after SIGINT (or the listener), 143 after SIGTERM. */
    private static volatile int cancelExitCode = ExitCodes.CANCELLED;

    private final List<Signal> signals;
    private final List<SignalHandler> previous;

    private Interrupts(List<Signal> signals, List<SignalHandler> previous) {
        this.signals = signals;
        this.previous = previous;
    }

    static Interrupts cancelling(CancellationToken token, PrintWriter err) {
        List<Signal> signals = new ArrayList<>();
        List<SignalHandler> previous = new ArrayList<>();
        cancelExitCode = ExitCodes.CANCELLED;
        install("INT", ExitCodes.CANCELLED, "Ctrl-C", token, err, signals, previous);
        install("TERM", ExitCodes.TERMINATED, "SIGTERM", token, err, signals, previous);
        return new Interrupts(signals, previous);
    }

    private static void install(String name, int exitCode, String label, CancellationToken token, PrintWriter err,
            List<Signal> signals, List<SignalHandler> previous) {
        Signal signal;
        try {
            signal = new Signal(name);
        } catch (IllegalArgumentException unknownSignal) {
            return; // not on this platform: the JVM's default applies
        }
        previous.add(Signal.handle(signal, sig -> {
            if (token.isCancelled()) {
                Runtime.getRuntime().halt(exitCode);
            }
            cancelExitCode = exitCode;
            err.println();
            err.println(label + ": cancelling after the current step, removing the unfinished output ("
                    + label + " again to quit at once)");
            err.flush();
            token.cancel(label.equals("Ctrl-C") ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)");
        }));
        signals.add(signal);
    }

    /** The exit code for a cancelled generation: 143 when SIGTERM cancelled it, else 130. */
    static int cancelExitCode() {
        return cancelExitCode;
    }

    /** Puts the previous handlers back. */
    void restore() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
