package io.github.wananimate.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The number of threads a CPU runtime should use for one operation when the caller does not say: the physical cores
 * this process may run on. ONNX Runtime's own default on Linux is half of {@code hardware_concurrency()}, which
 * assumes two hardware threads per core (its maintainers in microsoft/onnxruntime#13974): on a machine or container
 * without SMT that is half the cores (one thread on a 2-core machine, measured 1.5× slower here), and on a
 * CPU-limited container on a large host it is far more threads than the quota.
 */
public final class CpuCores {

    private static final Path CPUS = Path.of("/sys/devices/system/cpu");

    private CpuCores() {
    }

    /**
     * {@return the distinct (package, core) pairs of Linux's CPU topology, at most
     * {@link Runtime#availableProcessors()} (which honours affinity and container quotas); that count alone where the
     * topology cannot be read (other systems)}
     */
    public static int physical() {
        return physical(CPUS, Runtime.getRuntime().availableProcessors());
    }

    static int physical(Path cpus, int available) {
        Set<String> cores = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(cpus, "cpu[0-9]*")) {
            for (Path cpu : entries) {
                Path topology = cpu.resolve("topology");
                try {
                    cores.add(Files.readString(topology.resolve("physical_package_id")).trim() + ":"
                            + Files.readString(topology.resolve("core_id")).trim());
                } catch (IOException offlineOrUnreadable) {
                    // an offline CPU has no topology: not one this process runs on
                }
            }
        } catch (IOException | SecurityException noTopology) {
            return available;
        }
        return cores.isEmpty() ? available : Math.min(available, cores.size());
    }
}
