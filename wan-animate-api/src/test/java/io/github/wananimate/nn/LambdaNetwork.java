package io.github.wananimate.nn;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/** A test network whose forward pass is a lambda: lets backend tests run any sequence of ops. */
public final class LambdaNetwork implements Network {

    private final String name;
    private final List<ParameterSpec> parameters;
    private final String keyPrefix;
    private final BiFunction<Ops, Map<String, Tensor>, Map<String, Tensor>> body;

    public LambdaNetwork(String name, List<ParameterSpec> parameters,
            BiFunction<Ops, Map<String, Tensor>, Map<String, Tensor>> body) {
        this(name, parameters, "", body);
    }

    public LambdaNetwork(String name, List<ParameterSpec> parameters, String keyPrefix,
            BiFunction<Ops, Map<String, Tensor>, Map<String, Tensor>> body) {
        this.name = Objects.requireNonNull(name, "name");
        this.parameters = List.copyOf(parameters);
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.body = Objects.requireNonNull(body, "body");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    @Override
    public String keyPrefix() {
        return keyPrefix;
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        return body.apply(ops, inputs);
    }
}
