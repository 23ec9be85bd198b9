package io.github.wananimate.spi;

import java.util.Objects;

/**
 * How to open a backend.
 *
 * @param device {@code "cpu"} or {@code "cuda"} / {@code "cuda:N"}
 * @param intraOpThreads threads for one operation; 0 lets the runtime decide
 */
public record BackendOptions(String device, int intraOpThreads) {

    public BackendOptions {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
    }

    public static BackendOptions cpu() {
        return new BackendOptions("cpu", 0);
    }
}
