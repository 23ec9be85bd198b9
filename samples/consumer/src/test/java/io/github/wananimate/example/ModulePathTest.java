package io.github.wananimate.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import io.github.wananimate.api.WanAnimate;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The SDK on the module path: module {@code io.github.wananimate} exports the public surface only, a consumer module
 * using it compiles, one reaching into an internal package does not, and this example imports exported packages only.
 */
class ModulePathTest {

    private static final String MODULE = "io.github.wananimate";
    private static final Set<String> PUBLIC_SURFACE = Set.of("api", "video", "errors", "memory", "spi", "nn",
            "nn.clip", "nn.dit", "nn.t5", "nn.vae", "procedural", "tensor", "text", "weights").stream().map(p -> MODULE + "." + p)
            .collect(Collectors.toSet());

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModuleDescriptor apiModule() {
        return ModuleFinder.of(location(WanAnimate.class)).find(MODULE).orElseThrow().descriptor();
    }

    @Test
    void theApiModuleExportsThePublicSurfaceOnly() {
        ModuleDescriptor module = apiModule();
        Set<String> open = module.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(PUBLIC_SURFACE), open);
        for (String internal : List.of("pipeline", "sampling", "model", "nn.layers", "nn.face", "weights.lora",
                "io")) {
            assertTrue(module.packages().contains(MODULE + "." + internal), internal);
            assertFalse(open.contains(MODULE + "." + internal), internal);
        }
        assertTrue(module.uses().contains("io.github.wananimate.spi.BackendProvider"), "uses the backend SPI");
    }

    @Test
    void aConsumerModuleCompilesAgainstTheExportedPackages(@TempDir Path dir) throws IOException {
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, """
                package consumer.check;

                import io.github.wananimate.api.AnimationRequest;
                import io.github.wananimate.api.WanAnimate;
                import io.github.wananimate.procedural.ProceduralModel;
                import io.github.wananimate.spi.Backends;

                public final class Uses {
                    public static WanAnimate.Builder builder(AnimationRequest request) {
                        ProceduralModel model = ProceduralModel.tiny(0);
                        return WanAnimate.builder().dit(model.dit(), model.ditWeights()).backend(Backends.best().name());
                    }
                }
                """);
        assertEquals(List.of(), errors.stream().map(ModulePathTest::text).toList());
    }

    @Test
    void aConsumerModuleUsingAnInternalPackageDoesNotCompile(@TempDir Path dir) throws IOException {
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, """
                package consumer.check;

                import io.github.wananimate.pipeline.WanAnimatePipeline;

                public final class Uses {
                    static Class<?> internal() {
                        return WanAnimatePipeline.class;
                    }
                }
                """);
        assertFalse(errors.isEmpty(), "the internal package was visible");
        String first = text(errors.get(0));
        assertTrue(first.contains("package io.github.wananimate.pipeline is not visible"), first);
        assertTrue(first.contains("does not export it"), first);
    }

    @Test
    void thisExampleImportsExportedPackagesOnly() throws IOException {
        Set<String> apiPackages = apiModule().packages();
        Pattern imports = Pattern.compile("^import (?:static )?(io\\.github\\.wananimate\\.[a-z0-9.]+)\\.[A-Z]",
                Pattern.MULTILINE);
        Set<String> used = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = imports.matcher(Files.readString(source, StandardCharsets.UTF_8));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertFalse(used.isEmpty());
        for (String pkg : used) {
            assertTrue(!apiPackages.contains(pkg) || PUBLIC_SURFACE.contains(pkg), pkg + " is not exported");
        }
    }

    /** Compiles module {@code consumer.check} (requiring the SDK) with one class; returns the errors. */
    private static List<Diagnostic<? extends JavaFileObject>> compile(Path dir, String source) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("consumer/check"));
        Files.writeString(src.resolve("module-info.java"), "module consumer.check { requires " + MODULE + "; }");
        Files.writeString(src.resolve("consumer/check/Uses.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            Files.createDirectories(dir.resolve("empty"));
            // an explicit (empty) class path: javac would otherwise search this test's class path, the SDK included
            List<String> options = List.of("--release", "17", "-d", dir.resolve("out").toString(), "-classpath",
                    dir.resolve("empty").toString(), "--module-path",
                    Stream.of(WanAnimate.class, Gson.class, Logger.class).map(ModulePathTest::location)
                            .map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(src.resolve("module-info.java"),
                    src.resolve("consumer/check/Uses.java"));
            javac.getTask(null, files, diagnostics, options, null, units).call();
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    private static String text(Diagnostic<? extends JavaFileObject> d) {
        return d.getMessage(Locale.ROOT);
    }
}
