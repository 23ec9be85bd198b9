package io.github.wananimate.spi;

import java.util.Objects;

/**
 * How to open a backend.
 *
 * @param device where it computes
 * @param intraOpThreads threads for one operation; 0: the backend's default (onnx: the physical cores this process
 *     may use; djl: PyTorch's own)
 */
public record BackendOptions(Device device, int intraOpThreads) {

    /**
     * Checks the thread count.
     *
     * @param device where it computes
     * @param intraOpThreads threads for one operation, ≥ 0
     */
    public BackendOptions {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
    }

    /**
     * Options for the device written as text ({@link Device#parse}: {@code cpu}, {@code cuda}, {@code cuda:N},
     * {@code gpu[:N]}).
     *
     * @param device {@code cpu}, {@code cuda}, {@code cuda:N}, {@code gpu[:N]}
     * @param intraOpThreads threads for one operation, ≥ 0
     * @throws IllegalArgumentException for a device no backend knows
     */
    public BackendOptions(String device, int intraOpThreads) {
        this(Device.parse(device), intraOpThreads);
    }

    /** {@return the CPU, threads chosen by the runtime} */
    public static BackendOptions cpu() {
        return new BackendOptions(Device.CPU, 0);
    }
}
