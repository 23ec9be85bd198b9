package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import java.io.PrintWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during a generation: the first SIGINT cancels the token, so the pipeline stops at its next model call and
 * the command unwinds normally (backend closed, unfinished mp4 discarded, exit code 130); a second one exits at
 * once. Handling the signal instead of a shutdown hook matters: ONNX Runtime closes its environment in its own
 * shutdown hook, which would pull the native runtime from under a running session.
 */
final class Interrupts {

    private final Signal signal;
    private final SignalHandler previous;

    private Interrupts(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    static Interrupts cancelling(CancellationToken token, PrintWriter err) {
        Signal interrupt;
        try {
            interrupt = new Signal("INT");
        } catch (IllegalArgumentException unknownSignal) {
            return new Interrupts(null, null); // no SIGINT on this platform: the JVM's default applies
        }
        SignalHandler previous = Signal.handle(interrupt, sig -> {
            if (token.isCancelled()) {
                Runtime.getRuntime().halt(ExitCodes.CANCELLED);
            }
            err.println();
            err.println("cancelling after the current step (Ctrl-C again to quit at once)");
            err.flush();
            token.cancel("interrupted (Ctrl-C)");
        });
        return new Interrupts(interrupt, previous);
    }

    /** Puts the previous SIGINT handler back. */
    void restore() {
        if (signal != null) {
            Signal.handle(signal, previous);
        }
    }
}
