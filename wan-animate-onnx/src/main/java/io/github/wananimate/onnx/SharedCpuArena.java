package io.github.wananimate.onnx;

import ai.onnxruntime.OrtEnvironment;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CPU memory arena for every session of the process, registered in ONNX Runtime's environment. Without it each
 * session keeps an arena of its own, so memory one session freed (a VAE chunk's handed-over cache, the start chunk's
 * intermediates) cannot serve the next. ONNX Runtime's C API registers such an arena
 * ({@code CreateAndRegisterAllocator}) and sessions opt in with {@code session.use_env_allocators}; the Java binding
 * offers the option but not the registration, so it is called here through JNA on the library the binding loaded.
 *
 * <p>Registration is attempted once per process. Anything unexpected (the library not found in
 * {@code /proc/self/maps}, an API version it does not serve, a probe of the function table that does not answer as
 * the header says) leaves the process without a shared arena and is logged; nothing is called past a failed check.
 */
final class SharedCpuArena {

    private static final Logger LOG = LoggerFactory.getLogger(SharedCpuArena.class);

    /** The C API version whose function table is read: ONNX Runtime 1.23 serves version 23 (and older ones). */
    private static final int ORT_API_VERSION = 23;

    // Slots of struct OrtApi (onnxruntime_c_api.h). The table only ever grows at its end, so a slot keeps its function
    // in every later version.
    private static final int CREATE_STATUS = 0;
    private static final int GET_ERROR_MESSAGE = 2;
    private static final int CREATE_MEMORY_INFO = 68;
    private static final int RELEASE_STATUS = 93;
    private static final int RELEASE_MEMORY_INFO = 94;
    private static final int CREATE_AND_REGISTER_ALLOCATOR = 144;
    private static final int RELEASE_ARENA_CFG = 157;
    private static final int CREATE_ARENA_CFG_V2 = 164;

    /** enum OrtAllocatorType / OrtMemType / OrtErrorCode values used here. */
    private static final int ORT_ARENA_ALLOCATOR = 1;
    private static final int ORT_MEM_TYPE_DEFAULT = 0;
    private static final int ORT_FAIL = 1;

    /**
     * {@code arena_extend_strategy} 1 = kSameAsRequested: the arena grows by what a request lacks rather than by the
     * next power of two, so that what it reserves stays near what the sessions hold at their peak.
     */
    private static final long EXTEND_SAME_AS_REQUESTED = 1;

    private static final String LIBRARY_FILE = "libonnxruntime.so";

    private static Boolean registered;

    private SharedCpuArena() {
    }

    /**
     * Registers the shared CPU arena in {@code environment} unless that was done (or failed) before in this process.
     *
     * @return whether sessions can use it ({@code session.use_env_allocators})
     */
    static synchronized boolean register(OrtEnvironment environment) {
        if (registered == null) {
            registered = tryRegister(environment);
        }
        return registered;
    }

    private static boolean tryRegister(OrtEnvironment environment) {
        Optional<Path> library = loadedLibrary();
        if (library.isEmpty()) {
            // other platforms name the library otherwise and have no /proc/self/maps: an arena per session there
            LOG.info("no shared CPU arena: {} not found in /proc/self/maps; ONNX Runtime keeps an arena per session",
                    LIBRARY_FILE);
            return false;
        }
        try {
            NativeLibrary ort = NativeLibrary.getInstance(library.get().toString());
            Pointer base = ort.getFunction("OrtGetApiBase").invokePointer(new Object[0]);
            String version = Function.getFunction(base.getPointer(Native.POINTER_SIZE))
                    .invokeString(new Object[0], false);
            Pointer api = Function.getFunction(base.getPointer(0)).invokePointer(new Object[] {ORT_API_VERSION});
            if (api == null) {
                LOG.warn("no shared CPU arena: ONNX Runtime {} does not serve C API version {}", version,
                        ORT_API_VERSION);
                return false;
            }
            OrtApi functions = new OrtApi(api);
            if (!functions.answersProbe()) {
                LOG.warn("no shared CPU arena: ONNX Runtime {}'s function table does not match C API version {}",
                        version, ORT_API_VERSION);
                return false;
            }
            functions.registerArena(environmentHandle(environment));
            LOG.debug("shared CPU arena registered in ONNX Runtime {}", version);
            return true;
        } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
            LOG.warn("no shared CPU arena: {}", e.toString());
            return false;
        }
    }

    /** The ONNX Runtime library the Java binding loaded, found among the process's mapped files. */
    private static Optional<Path> loadedLibrary() {
        return MappedFiles.lines().stream().map(MappedFiles::path)
                .filter(path -> path.endsWith("/" + LIBRARY_FILE)).findFirst().map(Path::of);
    }

    /** The {@code OrtEnv*} behind the Java environment (a package-private field of the binding). */
    private static Pointer environmentHandle(OrtEnvironment environment) throws ReflectiveOperationException {
        Field handle = OrtEnvironment.class.getDeclaredField("nativeHandle");
        handle.setAccessible(true);
        return new Pointer(handle.getLong(environment));
    }

    /** The functions of one {@code OrtApi} table used here. */
    private record OrtApi(Pointer table) {

        private Function function(int slot) {
            return Function.getFunction(table.getPointer((long) slot * Native.POINTER_SIZE));
        }

        /** A status made and read back through the table: slots 0, 2 and 93 answer as the header says. */
        boolean answersProbe() {
            String text = "wan-animate probe";
            Pointer status = function(CREATE_STATUS).invokePointer(new Object[] {ORT_FAIL, text});
            if (status == null) {
                return false;
            }
            try {
                return text.equals(function(GET_ERROR_MESSAGE).invokeString(new Object[] {status}, false));
            } finally {
                function(RELEASE_STATUS).invokeVoid(new Object[] {status});
            }
        }

        void registerArena(Pointer environment) {
            PointerByReference memoryInfo = new PointerByReference();
            check("CreateMemoryInfo", function(CREATE_MEMORY_INFO).invokePointer(
                    new Object[] {"Cpu", ORT_ARENA_ALLOCATOR, 0, ORT_MEM_TYPE_DEFAULT, memoryInfo}));
            try {
                StringArray keys = new StringArray(new String[] {"arena_extend_strategy"});
                Memory values = new Memory(Native.SIZE_T_SIZE);
                values.setLong(0, EXTEND_SAME_AS_REQUESTED);
                PointerByReference arenaConfig = new PointerByReference();
                check("CreateArenaCfgV2", function(CREATE_ARENA_CFG_V2).invokePointer(
                        new Object[] {keys, values, 1L, arenaConfig}));
                try {
                    check("CreateAndRegisterAllocator", function(CREATE_AND_REGISTER_ALLOCATOR).invokePointer(
                            new Object[] {environment, memoryInfo.getValue(), arenaConfig.getValue()}));
                } finally {
                    function(RELEASE_ARENA_CFG).invokeVoid(new Object[] {arenaConfig.getValue()});
                }
            } finally {
                function(RELEASE_MEMORY_INFO).invokeVoid(new Object[] {memoryInfo.getValue()});
            }
        }

        /** Throws with ONNX Runtime's message when {@code status} is an error (null is success). */
        private void check(String call, Pointer status) {
            if (status == null) {
                return;
            }
            String message = function(GET_ERROR_MESSAGE).invokeString(new Object[] {status}, false);
            function(RELEASE_STATUS).invokeVoid(new Object[] {status});
            throw new IllegalStateException(call + " failed: " + message);
        }
    }
}
