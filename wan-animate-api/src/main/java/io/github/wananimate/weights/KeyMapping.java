package io.github.wananimate.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames checkpoint keys by table: an ordered list of rules, of which the first that matches a key decides its
 * new name (a key no rule matches keeps its name). Mappings chain with {@link #then}: each stage sees the names
 * the previous one produced.
 *
 * <p>Rules: strip a prefix, rename a prefix, rename by regex (anchored at the start of the key; the matched part
 * is replaced and the rest kept, {@code $1} refers to groups), or drop keys. A rule marked as a fallback yields
 * when another source key maps to the same name (for example HF T5's {@code encoder.embed_tokens.weight}, a copy
 * of {@code shared.weight}).
 */
public final class KeyMapping {

    /** One row of a mapping table. */
    public record Rule(String description, Pattern pattern, String replacement, boolean drop, boolean fallback) {

        /** The new name of {@code key}, {@code null} when dropped, or empty when this rule does not match. */
        Optional<Optional<String>> apply(String key) {
            Matcher m = pattern.matcher(key);
            if (!m.lookingAt()) {
                return Optional.empty();
            }
            if (drop) {
                return Optional.of(Optional.empty());
            }
            return Optional.of(Optional.of(m.replaceFirst(replacement)));
        }

        /** {@return this rule, applied only when no other rule matches} */
        public Rule asFallback() {
            return new Rule(description + " (fallback)", pattern, replacement, drop, true);
        }
    }

    /** The outcome for one key: its new name ({@code null} when dropped) and whether a fallback rule produced it. */
    record Mapped(String key, boolean fallback) {
    }

    private final String name;
    private final List<List<Rule>> stages;

    private KeyMapping(String name, List<List<Rule>> stages) {
        this.name = name;
        this.stages = stages;
    }

    /**
     * A mapping applying the first rule that matches a key.
     *
     * @param name the name, for messages
     * @param rules the rules, in order
     * @return the mapping
     */
    public static KeyMapping of(String name, List<Rule> rules) {
        return new KeyMapping(name, List.of(List.copyOf(rules)));
    }

    /** {@return the mapping that renames nothing} */
    public static KeyMapping identity() {
        return new KeyMapping("identity", List.of());
    }

    /**
     * A rule that removes a leading prefix.
     *
     * @param prefix the prefix
     * @return the rule
     */
    public static Rule stripPrefix(String prefix) {
        return new Rule("strip '" + prefix + "'", Pattern.compile(Pattern.quote(prefix)), "", false, false);
    }

    /**
     * A rule that replaces a leading prefix.
     *
     * @param from the prefix matched
     * @param to its replacement
     * @return the rule
     */
    public static Rule renamePrefix(String from, String to) {
        return new Rule("'" + from + "' -> '" + to + "'", Pattern.compile(Pattern.quote(from)),
                Matcher.quoteReplacement(to), false, false);
    }

    /**
     * Replaces the part of the key matched by {@code regex} at its start; {@code $n} refers to groups.
     *
     * @param regex the pattern
     * @param replacement the replacement
     * @return the regex
     */
    public static Rule regex(String regex, String replacement) {
        return new Rule("/" + regex + "/ -> '" + replacement + "'", Pattern.compile(regex), replacement, false, false);
    }

    /**
     * Drops keys matching {@code regex} at their start.
     *
     * @param regex the pattern
     * @return the drop
     */
    public static Rule drop(String regex) {
        return new Rule("drop /" + regex + "/", Pattern.compile(regex), "", true, false);
    }

    /** {@return the mapping's name, for messages} */
    public String name() {
        return name;
    }

    /** {@return whether this mapping renames nothing} */
    public boolean isIdentity() {
        return stages.isEmpty();
    }

    /**
     * {@return this mapping followed by {@code next}}
     *
     * @param next the next step
     */
    public KeyMapping then(KeyMapping next) {
        if (next.isIdentity()) {
            return this;
        }
        if (isIdentity()) {
            return next;
        }
        List<List<Rule>> all = new ArrayList<>(stages);
        all.addAll(next.stages);
        return new KeyMapping(name + " + " + next.name, List.copyOf(all));
    }

    /**
     * {@return the new name of {@code key}, or empty when a rule drops it}
     *
     * @param key the checkpoint key
     */
    public Optional<String> map(String key) {
        return Optional.ofNullable(mapDetailed(key).key());
    }

    Mapped mapDetailed(String key) {
        String current = key;
        boolean fallback = false;
        for (List<Rule> stage : stages) {
            for (Rule rule : stage) {
                Optional<Optional<String>> result = rule.apply(current);
                if (result.isPresent()) {
                    if (result.get().isEmpty()) {
                        return new Mapped(null, fallback || rule.fallback());
                    }
                    current = result.get().get();
                    fallback |= rule.fallback();
                    break;
                }
            }
        }
        return new Mapped(current, fallback);
    }

    @Override
    public String toString() {
        return name;
    }
}
