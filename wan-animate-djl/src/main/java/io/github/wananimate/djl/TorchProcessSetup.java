package io.github.wananimate.djl;

import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings PyTorch reads from the process environment, made from inside the JVM (through JNA, which DJL already
 * brings) so that nobody has to export variables or {@code LD_PRELOAD} an allocator before starting Java.
 *
 * <ul>
 *   <li>{@code TORCH_CPP_LOG_LEVEL=ERROR}: PyTorch's C++ warnings (e.g. "Could not initialize NNPACK! Reason:
 *       Unsupported hardware.", once per convolution kind on CPUs without NNPACK support) go straight to stderr,
 *       outside SLF4J; the level is also applied to the loaded library, since libc10 reads the variable only
 *       when asked to.</li>
 *   <li>{@code THP_MEM_ALLOC_ENABLE=1} (CPU, Linux): PyTorch aligns tensors of 2 MiB and more to huge pages and
 *       {@code madvise}s them, so the fresh mapping glibc returns for every large output is faulted in 2 MiB
 *       at a time instead of 4 KiB (the cost the README's "why DJL is slower on CPU" measures).</li>
 * </ul>
 *
 * <p>A variable the user has set is left as it is; {@code -Dwananimate.djl.processSetup=false} skips all of this.
 * Must run before PyTorch's library is loaded, since libc10 reads the allocator variable once.
 */
final class TorchProcessSetup {

    /** System property that turns the setup off ({@code false}). */
    static final String PROPERTY = "wananimate.djl.processSetup";

    private static final Logger LOG = LoggerFactory.getLogger(TorchProcessSetup.class);
    /** c10's log levels: 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL. */
    private static final int C10_ERROR = 2;

    private TorchProcessSetup() {
    }

    /** POSIX {@code setenv}: the C library's own environment, which PyTorch's {@code getenv} reads. */
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** The variables set when absent, in the order above. */
    static Map<String, String> variables() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("TORCH_CPP_LOG_LEVEL", "ERROR");
        if (Platform.isLinux()) {
            vars.put("THP_MEM_ALLOC_ENABLE", "1");
        }
        return vars;
    }

    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /** Sets the variables the user has not set; before PyTorch loads. Never throws. */
    static void beforeLoad() {
        if (!enabled() || Platform.isWindows()) {
            return;
        }
        try {
            LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
            for (Map.Entry<String, String> e : variables().entrySet()) {
                if (System.getenv(e.getKey()) == null) {
                    libc.setenv(e.getKey(), e.getValue(), 0);
                    LOG.debug("set {}={} for PyTorch", e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("cannot set PyTorch's environment variables; PyTorch runs with its defaults", e);
        }
    }

    /** Applies the log level to the loaded libc10 (it reads TORCH_CPP_LOG_LEVEL only in initLogging). Never throws. */
    static void afterLoad() {
        if (!enabled() || System.getenv("TORCH_CPP_LOG_LEVEL") != null) {
            return;
        }
        try {
            Path c10 = Path.of(LibUtils.getLibtorchPath()).resolve(System.mapLibraryName("c10"));
            if (!Files.isRegularFile(c10)) {
                return;
            }
            NativeLibrary lib = NativeLibrary.getInstance(c10.toString());
            lib.getGlobalVariableAddress("FLAGS_caffe2_log_level").setInt(0, C10_ERROR);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("cannot lower PyTorch's C++ log level; its warnings may reach stderr", e);
        }
    }
}
