package io.github.wananimate.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCoresTest {

    @Test
    void countsDistinctCoresOfTheTopologyAtMostTheAvailableProcessors(@TempDir Path cpus) throws IOException {
        core(cpus, "cpu0", 0, 0);
        core(cpus, "cpu1", 0, 1);
        core(cpus, "cpu2", 0, 0); // the SMT sibling of cpu0
        core(cpus, "cpu3", 1, 0); // same core id, other package
        Files.createDirectories(cpus.resolve("cpu4")); // offline: no topology
        Files.createDirectories(cpus.resolve("cpufreq"));
        assertThat(CpuCores.physical(cpus, 16)).isEqualTo(3);
        assertThat(CpuCores.physical(cpus, 2)).isEqualTo(2);
    }

    @Test
    void withoutATopologyItIsTheAvailableProcessors(@TempDir Path dir) {
        assertThat(CpuCores.physical(dir.resolve("absent"), 6)).isEqualTo(6);
        assertThat(CpuCores.physical(dir, 6)).isEqualTo(6);
        assertThat(CpuCores.physical()).isBetween(1, Runtime.getRuntime().availableProcessors());
    }

    private static void core(Path cpus, String cpu, int pkg, int core) throws IOException {
        Path topology = Files.createDirectories(cpus.resolve(cpu).resolve("topology"));
        Files.writeString(topology.resolve("physical_package_id"), pkg + "\n");
        Files.writeString(topology.resolve("core_id"), core + "\n");
    }
}
