package io.github.wananimate.samples;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wan-animate inspect <model-dir>}: what a model folder holds and whether it is complete. */
@Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Lists what a model folder holds: each component (DiT, VAE, umT5, CLIP, relighting LoRA), its "
                + "file(s), tensor count, dtypes and size, the key-name flavour (official, diffusers, ComfyUI "
                + "prefixes, Hugging Face), and whether the keys cover what the network reads; then the DiT "
                + "config.json and the umT5 tokenizer. Reads headers only, so it takes a second even on the "
                + "70 GB folder.",
                "Exits 0 when the folder is complete, 3 when something is missing, unreadable or mismatched."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "<model-dir>", description = "the Wan2.2-Animate-14B folder (or one holding repacks)")
    Path folder;

    @Option(names = {"-v", "--verbose"}, description = "list every missing, mis-shaped or unexpected key")
    boolean verbose;

    @Override
    public Integer call() {
        ModelInspection inspection = ModelInspection.of(folder);
        inspection.print(spec.commandLine().getOut(), verbose);
        return inspection.complete() ? ExitCodes.OK : ExitCodes.FILE_PROBLEM;
    }
}
