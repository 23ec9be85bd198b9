package io.github.wananimate.io;

import java.util.Deque;

/** Closing several native resources where one failing must not leak the others. */
public final class Closeables {

    private Closeables() {
    }

    /**
     * Closes and removes every resource, first to last (a stack closes most recent first).
     *
     * @param failure the failure so far, or null
     * @return {@code failure}, or the first close failure, with every later one suppressed in it; null when none
     */
    public static RuntimeException closeAll(Deque<? extends AutoCloseable> resources, RuntimeException failure) {
        while (!resources.isEmpty()) {
            failure = close(resources.pop(), failure);
        }
        return failure;
    }

    /**
     * Closes one resource (nothing when it is null).
     *
     * @param resource the resource, or null
     * @param failure the failure so far, or null
     * @return {@code failure} with the close failure suppressed in it, or the close failure when there was none
     *     before; null when neither
     */
    public static RuntimeException close(AutoCloseable resource, RuntimeException failure) {
        if (resource == null) {
            return failure;
        }
        try {
            resource.close();
            return failure;
        } catch (Exception e) {
            RuntimeException next = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            if (failure == null) {
                return next;
            }
            failure.addSuppressed(next);
            return failure;
        }
    }
}
