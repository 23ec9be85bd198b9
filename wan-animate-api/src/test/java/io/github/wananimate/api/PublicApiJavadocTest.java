package io.github.wananimate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every package the api module exports documents every public member: javadoc over the module (which documents the
 * exported packages only) with every doclint group, missing comments and tags included, reports nothing.
 */
class PublicApiJavadocTest {

    /** Tests run patched into the api module, which does not read java.compiler. */
    @BeforeAll
    static void readTheCompilerModule() {
        PublicApiJavadocTest.class.getModule().addReads(ModuleLayer.boot().findModule("java.compiler").orElseThrow());
    }

    /** The api module's dependencies: on the module path when surefire runs the tests as a module. */
    private static String dependencies() {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return modules.isEmpty() ? classes : classes.isEmpty() ? modules : modules + File.pathSeparator + classes;
    }

    @Test
    void theExportedPackagesHaveNoJavadocWarnings(@TempDir Path out) {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = new ArrayList<>(List.of("-Xdoclint:all", "-quiet", "-Xmaxwarns", "10000", "-d",
                out.toString(), "--module-source-path", "io.github.wananimate=src/main/java", "--module-path",
                dependencies(), "--module", "io.github.wananimate"));
        javadoc.getTask(new PrintWriter(new StringWriter()), null, diagnostics, null, options, null).call();
        assertThat(diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getMessage(Locale.ROOT))).as("javadoc errors").isEmpty();
        List<String> problems = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.WARNING)
                .map(d -> (d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
                        + d.getMessage(Locale.ROOT))
                .toList();
        assertThat(problems).isEmpty();
    }
}
