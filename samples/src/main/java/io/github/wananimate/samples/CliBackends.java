package io.github.wananimate.samples;

import io.github.wananimate.errors.BackendUnavailableException;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import java.util.List;

/** Opens the backend a command asked for, turning every reason it cannot into {@link BackendUnavailableException}. */
final class CliBackends {

    private CliBackends() {
    }

    /** Opens {@code name} (or the best available backend when null) on {@code device}. */
    static Backend open(String name, String device) {
        BackendProvider provider = name == null ? Backends.best(device) : Backends.byName(name);
        try {
            return provider.open(new BackendOptions(device, 0));
        } catch (BackendUnavailableException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("backend '" + provider.name() + "' cannot open device '" + device
                    + "': " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    /** Names of the backends whose native runtime loads here, highest priority first. */
    static List<String> available() {
        return Backends.providers().stream().filter(BackendProvider::isAvailable).map(BackendProvider::name).toList();
    }
}
