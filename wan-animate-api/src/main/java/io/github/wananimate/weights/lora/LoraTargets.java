package io.github.wananimate.weights.lora;

import io.github.wananimate.weights.WeightException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which modules a LoRA must adapt, checked when it is matched against a checkpoint ({@link LoraMergedSource}).
 *
 * <p>{@link #any()} is the rule for user LoRAs: at least one module must match, the rest is reported. An exact rule
 * ({@link #exactly}, {@link #wanRelighting}) demands that the LoRA's modules be exactly the listed ones and that
 * every one of them match a weight of the checkpoint; anything else fails, naming the first few missing, unexpected
 * and unmatched module paths. Keys that are no LoRA tensor at all stay a warning under both rules.
 */
public final class LoraTargets {

    /** The Linears of one DiT block that the official Relighting LoRA adapts (NETWORKS.md §7). */
    public static final List<String> RELIGHTING_BLOCK_LINEARS = List.of("self_attn.q", "self_attn.k", "self_attn.v",
            "self_attn.o", "cross_attn.q", "cross_attn.k", "cross_attn.v", "cross_attn.o", "cross_attn.k_img",
            "cross_attn.v_img", "ffn.0", "ffn.2");

    /** How many module paths of each kind a failure message names. */
    private static final int SHOWN = 5;

    private static final LoraTargets ANY = new LoraTargets("any LoRA", null);

    private final String name;
    private final Set<String> modules;

    private LoraTargets(String name, Set<String> modules) {
        this.name = name;
        this.modules = modules;
    }

    /** User LoRAs: any non-empty subset of the checkpoint's Linear weights. */
    public static LoraTargets any() {
        return ANY;
    }

    /**
     * Exactly {@code modules} (official module paths such as {@code blocks.0.self_attn.q}, i.e. weight keys without
     * {@code .weight}).
     *
     * @param name what the rule stands for, for messages (e.g. "the Wan relighting LoRA")
     */
    public static LoraTargets exactly(String name, Collection<String> modules) {
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("an exact LoRA target rule needs at least one module");
        }
        return new LoraTargets(name, Collections.unmodifiableSet(new LinkedHashSet<>(modules)));
    }

    /**
     * The official Relighting LoRA (NETWORKS.md §7, PIPELINE.md §2.15) for a DiT of {@code numLayers} blocks: the
     * {@link #RELIGHTING_BLOCK_LINEARS 12 Linears} of every block, nothing under {@code face_adapter} — 480 modules
     * for the 40 blocks of the 14B model.
     */
    public static LoraTargets wanRelighting(int numLayers) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("the DiT needs at least one block, got num_layers = " + numLayers);
        }
        Set<String> modules = new LinkedHashSet<>();
        for (int block = 0; block < numLayers; block++) {
            for (String linear : RELIGHTING_BLOCK_LINEARS) {
                modules.add("blocks." + block + "." + linear);
            }
        }
        return new LoraTargets("the Wan relighting LoRA (" + numLayers + " blocks x "
                + RELIGHTING_BLOCK_LINEARS.size() + " Linears, NETWORKS.md §7)", Collections.unmodifiableSet(modules));
    }

    /** The required module paths in their natural order; empty for {@link #any()}. */
    public Optional<Set<String>> modules() {
        return Optional.ofNullable(modules);
    }

    public String name() {
        return name;
    }

    /**
     * Throws unless this rule holds.
     *
     * @param present the LoRA's module paths under their official names
     * @param matched those of them that matched a checkpoint weight of the right shape
     */
    void check(String lora, String checkpoint, Set<String> present, Set<String> matched) {
        if (modules == null) {
            return;
        }
        List<String> missing = new ArrayList<>();
        List<String> notInCheckpoint = new ArrayList<>();
        for (String m : modules) {
            if (!present.contains(m)) {
                missing.add(m);
            } else if (!matched.contains(m)) {
                notInCheckpoint.add(m);
            }
        }
        List<String> unexpected = present.stream().filter(m -> !modules.contains(m)).sorted().toList();
        if (missing.isEmpty() && notInCheckpoint.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " required module(s) missing from the LoRA: " + firstFew(missing));
        }
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " module(s) that are no target of it: " + firstFew(unexpected));
        }
        if (!notInCheckpoint.isEmpty()) {
            problems.add(notInCheckpoint.size() + " required module(s) without a weight in " + checkpoint + ": "
                    + firstFew(notInCheckpoint));
        }
        throw new WeightException("LoRA " + lora + " is not " + name + ": it must adapt exactly " + modules.size()
                + " modules, it has " + present.size() + " (" + (present.size() - unexpected.size())
                + " of them required):\n  - " + String.join("\n  - ", problems));
    }

    private static String firstFew(List<String> modules) {
        List<String> shown = new ArrayList<>(modules.subList(0, Math.min(SHOWN, modules.size())));
        if (modules.size() > SHOWN) {
            shown.add("… " + (modules.size() - SHOWN) + " more");
        }
        return String.join(", ", shown);
    }

    @Override
    public String toString() {
        return name;
    }
}
