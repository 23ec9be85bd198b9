package io.github.wananimate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The api module's packages import each other one way only: no package reaches back to one that imports it. */
class PackageDirectionTest {

    private static final String ROOT = "io.github.wananimate.";
    private static final Pattern IMPORT = Pattern.compile(
            "^import (?:static )?io\\.github\\.wananimate\\.([a-z.]+?)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void packageImportsFormNoCycle() throws IOException {
        Map<String, Set<String>> imports = packageImports(Path.of("src/main/java/io/github/wananimate"));
        assertThat(imports).containsKeys("api", "pipeline", "nn", "spi");
        List<String> cycles = new ArrayList<>();
        for (String start : imports.keySet()) {
            findCycle(start, start, imports, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void thePipelineSeesNeitherTheRequestTypesNorTheModelResolution() throws IOException {
        Map<String, Set<String>> imports = packageImports(Path.of("src/main/java/io/github/wananimate"));
        assertThat(imports.get("pipeline")).doesNotContain("api", "model");
        assertThat(imports.get("nn.vae")).doesNotContain("spi", "pipeline");
        assertThat(imports.get("sampling")).doesNotContain("procedural", "pipeline");
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> imports, List<String> path,
            Set<String> visited, List<String> cycles) {
        for (String next : imports.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" → ", path) + " → " + start);
            } else if (visited.add(next)) {
                path.add(next);
                findCycle(start, next, imports, path, visited, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    /** Package (relative to {@value #ROOT}) → the project packages its main sources import. */
    private static Map<String, Set<String>> packageImports(Path sources) throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = sources.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> targets = imports.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        targets.add(m.group(1));
                    }
                }
            }
        }
        return imports;
    }
}
