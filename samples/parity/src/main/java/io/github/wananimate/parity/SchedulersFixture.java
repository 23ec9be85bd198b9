package io.github.wananimate.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.wananimate.sampling.SamplerTrace;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code schedulers}: for every entry of {@code cases} ({@code solver}, {@code steps},
 * {@code shift}) runs the sampler from the procedural {@code latent.init} with {@code model_output.<k>} as the
 * model output of step k, and returns the timesteps, sigmas and the latent after every step. Runs no network, so
 * the backend is unused (it may be null).
 */
public final class SchedulersFixture implements FixtureComponent {

    @Override
    public String component() {
        return "schedulers";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        if (!fixture.json().has("cases") || !fixture.json().get("cases").isJsonArray()) {
            throw new FixtureException("fixture " + fixture.directory() + ": a schedulers fixture needs a \"cases\""
                    + " list of {solver, steps, shift}");
        }
        HostTensor initial = fixture.input("latent.init");
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        for (JsonElement element : fixture.json().getAsJsonArray("cases")) {
            JsonObject c = element.getAsJsonObject();
            String solver = c.get("solver").getAsString();
            int steps = c.get("steps").getAsInt();
            double shift = c.get("shift").getAsDouble();
            outputs.putAll(SamplerTrace.run(solver, steps, shift, initial, k -> fixture.input("model_output." + k)));
        }
        return outputs;
    }
}
