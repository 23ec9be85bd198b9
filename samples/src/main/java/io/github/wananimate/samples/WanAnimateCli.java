package io.github.wananimate.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wan-animate} command line. */
@Command(name = "wan-animate", mixinStandardHelpOptions = true, version = "wan-animate 0.1.0-SNAPSHOT",
        usageHelpAutoWidth = true,
        description = {"Wan-Animate (Wan2.2-Animate-14B) in Java, on DJL/PyTorch or ONNX Runtime.",
                "",
                "Start with `wan-animate animate` (no arguments): it runs the whole chain on built-in demo weights "
                        + "and a bundled sample, writes demo.mp4, and needs no download.",
                ""},
        subcommands = {AnimateCommand.class, ReplaceCommand.class, PreprocessCommand.class, PosePreviewCommand.class,
                InspectCommand.class, ParityCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run `wan-animate <command> --help` for a command's options."})
public final class WanAnimateCli {

    /** Exit code for usage errors and failures that are not classified otherwise (see {@link ExitCodes}). */
    public static final int EXIT_ERROR = ExitCodes.USAGE;

    public static void main(String[] args) {
        // Engine start-up chatter (DJL, ONNX Runtime) would bury the reports; -D... overrides this default.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: every command's help ends with the exit codes of {@link ExitCodes}. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new WanAnimateCli());
        appendExitCodes(cli);
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (Boolean.getBoolean("wananimate.stacktrace")) {
                ex.printStackTrace(cmd.getErr());
            }
            return ExitCodes.of(ex);
        });
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        return cli;
    }

    private static void appendExitCodes(CommandLine cli) {
        String[] footer = cli.getCommandSpec().usageMessage().footer();
        String[] all = new String[footer.length + ExitCodes.FOOTER.length];
        System.arraycopy(footer, 0, all, 0, footer.length);
        System.arraycopy(ExitCodes.FOOTER, 0, all, footer.length, ExitCodes.FOOTER.length);
        cli.getCommandSpec().usageMessage().footer(all);
        cli.getSubcommands().values().forEach(WanAnimateCli::appendExitCodes);
    }
}
