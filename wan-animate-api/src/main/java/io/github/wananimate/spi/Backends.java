package io.github.wananimate.spi;

import io.github.wananimate.errors.BackendUnavailableException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds backend providers on the classpath. */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** {@return all providers found (available or not), highest priority on the CPU first} */
    public static List<BackendProvider> providers() {
        return providers("cpu");
    }

    /**
     * All providers found (available or not), highest priority for {@code device} first.
     *
     * @param device the device the ranking is for
     * @return the providers
     */
    public static List<BackendProvider> providers(String device) {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(found::add);
        found.sort(Comparator.comparingInt((BackendProvider p) -> p.priority(device)).reversed()
                .thenComparing(BackendProvider::name));
        return found;
    }

    /**
     * The provider called {@code name}; the error lists what is on the classpath instead, or says why its native
     * runtime cannot be loaded and how to fix that (the load failure is the exception's cause).
     *
     * @param name the provider's name
     * @return the provider
     */
    public static BackendProvider byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<BackendProvider> all = providers();
        for (BackendProvider p : all) {
            if (p.name().equals(wanted)) {
                if (!p.isAvailable()) {
                    RuntimeException failure = failure(p);
                    throw new BackendUnavailableException("backend '" + wanted + "' is on the classpath but its native "
                            + "runtime cannot be loaded on this machine: " + failure.getMessage(), failure);
                }
                return p;
            }
        }
        throw new BackendUnavailableException("no backend named '" + name + "' on the classpath; found: "
                + describe(all, "cpu") + ". Add wan-animate-djl or wan-animate-onnx as a dependency.");
    }

    /** {@return the available provider with the highest priority on the CPU} */
    public static BackendProvider best() {
        return best("cpu");
    }

    /**
     * The available provider with the highest {@link BackendProvider#priority(String) priority} for {@code device};
     * logs at INFO which one and why. When none can load, the error carries every provider's reason and fix.
     *
     * @param device the device asked for
     * @return the provider
     */
    public static BackendProvider best(String device) {
        List<BackendProvider> all = providers(device);
        for (BackendProvider p : all) {
            if (p.isAvailable()) {
                LOG.info("backend '{}' chosen for device {}: the highest priority there among {}", p.name(), device,
                        describe(all, device));
                return p;
            }
            LOG.info("backend '{}' skipped: {}", p.name(), failure(p).getMessage());
        }
        if (all.isEmpty()) {
            throw new BackendUnavailableException("no Wan-Animate backend on the classpath: add wan-animate-djl or "
                    + "wan-animate-onnx");
        }
        BackendUnavailableException none = new BackendUnavailableException("no backend can load its native runtime here: "
                + all.stream().map(p -> p.name() + ": " + failure(p).getMessage()).collect(Collectors.joining("; ")));
        all.forEach(p -> none.addSuppressed(failure(p)));
        throw none;
    }

    /**
     * Whether {@code device} names the CPU (so backends can rank themselves per device).
     *
     * @param device a device as text
     * @throws IllegalArgumentException for a device no backend knows ({@link Device#parse})
     * @return whether it is the CPU
     */
    public static boolean isCpu(String device) {
        return Device.parse(device).isCpu();
    }

    private static RuntimeException failure(BackendProvider p) {
        return p.loadFailure().orElseGet(() -> new IllegalStateException("backend '" + p.name()
                + "' reports no load failure"));
    }

    private static String describe(List<BackendProvider> all, String device) {
        if (all.isEmpty()) {
            return "none";
        }
        return all.stream().map(p -> p.name() + " (priority " + p.priority(device)
                + (p.isAvailable() ? "" : ", unavailable") + ")").collect(Collectors.joining(", "));
    }
}
