package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The golden fixtures on the test classpath (resource folder {@code golden/}, held by the api test-jar) and the
 * parity tests the backend modules generate from them: one dynamic test per fixture folder whose component is
 * registered.
 */
public final class GoldenFixtures {

    /** The classpath resource folder holding one sub-folder per fixture. */
    public static final String RESOURCE_ROOT = "golden";
    /** System property naming the device the parity tests run on ({@code cpu} unless set). */
    public static final String DEVICE_PROPERTY = "wananimate.test.device";

    private static Path extracted;

    private GoldenFixtures() {
    }

    /**
     * Every fixture folder (holding a {@code fixture.json}) under every {@code golden/} resource folder on the
     * classpath, by folder name. Folders inside a jar are extracted to a temporary directory first.
     */
    public static Map<String, Path> fixtureDirectories() {
        Map<String, Path> found = new TreeMap<>();
        for (Path root : roots()) {
            try (Stream<Path> children = Files.list(root)) {
                children.filter(dir -> Files.isRegularFile(dir.resolve(Fixture.DESCRIPTION_FILE)))
                        .forEach(dir -> found.putIfAbsent(dir.getFileName().toString(), dir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return found;
    }

    /** The folder of fixture {@code name} (e.g. {@code motion_encoder}) on the test classpath. */
    public static Path fixture(String name) {
        Path dir = fixtureDirectories().get(name);
        if (dir == null) {
            throw new IllegalStateException("no golden fixture '" + name + "' under the classpath folder "
                    + RESOURCE_ROOT + "/; found " + fixtureDirectories().keySet());
        }
        return dir;
    }

    /**
     * One dynamic test per fixture whose component is registered: opens backend {@code backendName} through
     * {@link Backends#byName}, runs the fixture and asserts every compared output within tolerance (the failure
     * message is the report table).
     */
    public static Stream<DynamicTest> parityTests(String backendName) {
        Map<String, Path> dirs = fixtureDirectories();
        assertThat(dirs).as("golden fixtures on the test classpath").isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Path> entry : dirs.entrySet()) {
            String component;
            try (Fixture fixture = Fixture.load(entry.getValue())) {
                component = fixture.component();
            }
            if (!FixtureComponents.isKnown(component)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(entry.getKey() + " on " + backendName, () -> {
                String device = System.getProperty(DEVICE_PROPERTY, "cpu");
                try (Backend backend = Backends.byName(backendName).open(new BackendOptions(device, 0))) {
                    ParityReport report = FixtureRunner.run(entry.getValue(), backend);
                    System.out.print(report.table());
                    assertThat(report.passed()).withFailMessage("%s", report.table()).isTrue();
                }
            }));
        }
        return tests.stream();
    }

    private static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        try {
            Enumeration<URL> urls = GoldenFixtures.class.getClassLoader().getResources(RESOURCE_ROOT);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                if ("file".equals(url.getProtocol())) {
                    roots.add(Path.of(url.toURI()));
                } else if ("jar".equals(url.getProtocol())) {
                    roots.add(extract(url));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up the classpath folder " + RESOURCE_ROOT, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (roots.isEmpty()) {
            throw new IllegalStateException("no '" + RESOURCE_ROOT + "/' folder on the test classpath: the api"
                    + " test-jar (wan-animate-api, type test-jar) must be a test dependency");
        }
        return roots;
    }

    /** Copies the {@code golden/} entries of a jar (a packaged api test-jar) to a temporary folder, once. */
    private static synchronized Path extract(URL url) throws IOException {
        if (extracted != null) {
            return extracted;
        }
        Path target = Files.createTempDirectory("wan-animate-golden");
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (!entry.getName().startsWith(RESOURCE_ROOT + "/") || entry.isDirectory()) {
                    continue;
                }
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("jar entry escapes the extraction folder: " + entry.getName());
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        extracted = target.resolve(RESOURCE_ROOT);
        return extracted;
    }
}
