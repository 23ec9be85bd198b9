package io.github.wananimate.samples;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code wan-animate} in-process with its standard output and error captured, for the command tests. */
abstract class CliTestSupport {

    protected final StringWriter out = new StringWriter();
    protected final StringWriter err = new StringWriter();

    /** Exit code of {@code wan-animate args}; what it printed accumulates in {@link #out} and {@link #err}. */
    protected int run(String... args) {
        CommandLine cli = WanAnimateCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
