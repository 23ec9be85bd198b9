package io.github.wananimate.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wan-animate} command line. */
@Command(name = "wan-animate", mixinStandardHelpOptions = true, version = "wan-animate 0.1.0-SNAPSHOT",
        description = "Wan-Animate (Wan2.2-Animate-14B) on DJL/PyTorch and ONNX Runtime.",
        subcommands = {ParityCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class WanAnimateCli {

    /** Exit code for usage errors and failures that are not a parity verdict. */
    public static final int EXIT_ERROR = 2;

    public static void main(String[] args) {
        // Engine start-up chatter (DJL, ONNX Runtime) would bury the reports; -D... overrides this default.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: usage errors and exceptions exit with {@link #EXIT_ERROR}. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new WanAnimateCli());
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (Boolean.getBoolean("wananimate.stacktrace")) {
                ex.printStackTrace(cmd.getErr());
            }
            return EXIT_ERROR;
        });
        cli.setExitCodeExceptionMapper(ex -> EXIT_ERROR);
        return cli;
    }
}
