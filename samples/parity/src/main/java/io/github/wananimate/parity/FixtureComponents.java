package io.github.wananimate.parity;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link FixtureComponent}s on the classpath, by component name. */
public final class FixtureComponents {

    private FixtureComponents() {
    }

    /** Every registered component, sorted by name. */
    public static Map<String, FixtureComponent> all() {
        Map<String, FixtureComponent> found = new TreeMap<>();
        for (FixtureComponent c : ServiceLoader.load(FixtureComponent.class)) {
            FixtureComponent previous = found.putIfAbsent(c.component(), c);
            if (previous != null && previous.getClass() != c.getClass()) {
                throw new FixtureException("fixture component '" + c.component() + "' is registered twice: "
                        + previous.getClass().getName() + " and " + c.getClass().getName());
            }
        }
        return found;
    }

    public static boolean isKnown(String component) {
        return all().containsKey(component);
    }

    /** The implementation of {@code component}; the error lists the known components. */
    public static FixtureComponent byName(String component) {
        Map<String, FixtureComponent> all = all();
        FixtureComponent c = all.get(component);
        if (c == null) {
            throw new FixtureException("no implementation of fixture component '" + component
                    + "' is registered; known components: " + (all.isEmpty() ? "none" : String.join(", ", all.keySet()))
                    + " (add one with META-INF/services/" + FixtureComponent.class.getName() + ")");
        }
        return c;
    }
}
