package io.github.wananimate.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds backend providers on the classpath. */
public final class Backends {

    private Backends() {
    }

    /** All providers found, highest priority first (available or not). */
    public static List<BackendProvider> providers() {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(found::add);
        found.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                .thenComparing(BackendProvider::name));
        return found;
    }

    /** The provider called {@code name}; the error lists what is on the classpath instead. */
    public static BackendProvider byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<BackendProvider> all = providers();
        for (BackendProvider p : all) {
            if (p.name().equals(wanted)) {
                if (!p.isAvailable()) {
                    throw new IllegalStateException("backend '" + wanted
                            + "' is on the classpath but its native runtime cannot be loaded on this machine");
                }
                return p;
            }
        }
        throw new IllegalStateException("no backend named '" + name + "' on the classpath; found: "
                + describe(all) + ". Add wan-animate-djl or wan-animate-onnx as a dependency.");
    }

    /** The available provider with the highest priority. */
    public static BackendProvider best() {
        List<BackendProvider> all = providers();
        return all.stream().filter(BackendProvider::isAvailable).findFirst()
                .orElseThrow(() -> new IllegalStateException(all.isEmpty()
                        ? "no Wan-Animate backend on the classpath: add wan-animate-djl or wan-animate-onnx"
                        : "no backend can load its native runtime here; found: " + describe(all)));
    }

    private static String describe(List<BackendProvider> all) {
        if (all.isEmpty()) {
            return "none";
        }
        return all.stream().map(p -> p.name() + " (priority " + p.priority()
                + (p.isAvailable() ? "" : ", unavailable") + ")").collect(Collectors.joining(", "));
    }
}
