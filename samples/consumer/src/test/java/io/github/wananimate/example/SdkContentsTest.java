package io.github.wananimate.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wananimate.api.WanAnimate;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What a consumer's class path gets from the SDK artifacts: no parity harness (it lives in wan-animate-parity). */
class SdkContentsTest {

    private static final String PARITY_PACKAGE = "io/github/wananimate/parity";
    private static final String PARITY_SERVICES = "META-INF/services/io.github.wananimate.parity.FixtureComponent";

    @Test
    void noSdkArtifactOnTheClassPathHoldsTheParityHarness() throws IOException {
        ClassLoader loader = getClass().getClassLoader();
        List<URL> sdkRoots = Collections.list(loader.getResources("io/github/wananimate/api"));
        assertEquals(1, sdkRoots.size(), "wan-animate-api once on the class path: " + sdkRoots);
        assertEquals(List.of(), Collections.list(loader.getResources(PARITY_PACKAGE)));
        assertEquals(List.of(), Collections.list(loader.getResources(PARITY_SERVICES)));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.github.wananimate.parity.FixtureRunner"));
    }

    @Test
    void theApiArtifactHoldsNoParityEntries() throws IOException, URISyntaxException {
        Path api = Path.of(WanAnimate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> entries;
        if (Files.isDirectory(api)) {
            try (Stream<Path> files = Files.walk(api)) {
                entries = files.map(f -> api.relativize(f).toString().replace('\\', '/')).toList();
            }
        } else {
            try (JarFile jar = new JarFile(api.toFile())) {
                entries = jar.stream().map(e -> e.getName()).toList();
            }
        }
        assertTrue(entries.stream().anyMatch(e -> e.startsWith("io/github/wananimate/api/")), api + ": " + entries.size());
        assertEquals(List.of(), entries.stream()
                .filter(e -> e.startsWith(PARITY_PACKAGE) || e.startsWith(PARITY_SERVICES)).toList(), api.toString());
    }
}
