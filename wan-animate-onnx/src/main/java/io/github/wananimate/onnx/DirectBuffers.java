package io.github.wananimate.onnx;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for weight data handed to ONNX Runtime, freed when the session that reads them closes rather than
 * whenever the garbage collector gets to them: a streamed block's weights must leave the process right after its
 * run. Freeing goes through {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, the documented way
 * to release a direct buffer early); where that is unavailable the buffer is left to the collector.
 */
final class DirectBuffers {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;
    private static final AtomicLong OUTSTANDING = new AtomicLong();

    static {
        Object unsafe = null;
        Method invokeCleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invokeCleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invokeCleaner;
    }

    private DirectBuffers() {
    }

    /** A little-endian direct buffer of {@code bytes} bytes, to be {@link #free freed} by its owner. */
    static ByteBuffer allocate(long bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        OUTSTANDING.addAndGet(buffer.capacity());
        return buffer;
    }

    /** {@return bytes allocated here and not yet freed, in this process} */
    static long outstandingBytes() {
        return OUTSTANDING.get();
    }

    /** Releases the memory of a buffer from {@link #allocate} now; it must not be read afterwards. */
    static void free(ByteBuffer buffer) {
        OUTSTANDING.addAndGet(-buffer.capacity());
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot free a direct buffer", e);
        }
    }
}
