package io.github.wananimate.samples;

import io.github.wananimate.parity.FixtureRunner;
import io.github.wananimate.parity.ParityReport;
import io.github.wananimate.spi.Backend;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wan-animate parity <fixture-dir>… --backend djl|onnx}: runs golden fixtures and prints the error table. */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Runs golden fixture folders (fixture.json + outputs.safetensors) on a backend and prints "
                + "max |error| / max |golden| per output against the fixture's tolerance."})
final class ParityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "<fixture-dir>", description = "fixture folder(s)")
    List<Path> fixtures;

    @Option(names = "--backend", required = true, description = "backend name: djl or onnx")
    String backend;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), cuda or cuda:N")
    String device;

    @Override
    public Integer call() {
        boolean allPassed = true;
        try (Backend opened = CliBackends.open(backend, device)) {
            for (Path dir : fixtures) {
                ParityReport report = FixtureRunner.run(dir, opened);
                spec.commandLine().getOut().print(report.table());
                spec.commandLine().getOut().flush();
                allPassed &= report.passed();
            }
        }
        return allPassed ? 0 : 1;
    }
}
