package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle interpreter (protocols 0 to 5, as far as {@code torch.save} uses them) that builds plain data and
 * never executes anything: a {@code GLOBAL} outside a small allow-list (tensor rebuild functions, OrderedDict,
 * storage classes, dtypes) is refused before it could be used, and calls are interpreted by name.
 *
 * <p>Hostile input is answered with a {@link WeightException} naming the file, in time linear in its size: the
 * interpreter is iterative, its work (opcodes plus items copied) is capped at {@link #workLimit(int)}, a dict key
 * may only be a scalar or a tuple of at most {@value #MAX_KEY_NODES} scalar/tuple nodes (counted with repeats, so a
 * memo-shared "tuple bomb" is refused before it is hashed; CPython would hash it for 2^depth steps), text numbers
 * are limited to {@value #MAX_DIGITS} digits (CPython's {@code int_max_str_digits}), and values are described in
 * messages only to a bounded depth and length. Consumers walking the result use {@link #MAX_DEPTH}.
 *
 * <p>Results: {@link String}, {@link Long} (or {@link BigInteger}), {@link Double}, {@link Boolean}, {@code null},
 * {@code byte[]}, {@link ArrayList} (list), {@link Tuple}, {@link LinkedHashMap} (dict / OrderedDict), and the
 * torch records {@link StorageRef} and {@link TensorRef}.
 */
final class RestrictedUnpickler {

    /** A Python tuple. */
    record Tuple(List<Object> items) {
    }

    /** An allow-listed global, by qualified name. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualified();
        }
    }

    /**
     * A storage named by a persistent id {@code ('storage', type, key, location, numel)}. For an untyped storage
     * (used with {@code _rebuild_tensor_v3}) {@code dtype} is U8 and {@code numel} counts bytes.
     */
    record StorageRef(DType dtype, boolean untyped, String key, String location, long numel) {
    }

    /** {@code torch._utils._rebuild_tensor_v2/v3}: a strided view of a storage; offset and strides in elements. */
    record TensorRef(StorageRef storage, DType dtype, long offset, long[] shape, long[] stride) {
        @Override
        public String toString() {
            return "tensor " + dtype + " " + Arrays.toString(shape);
        }
    }

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("torch.DoubleStorage", DType.F64),
            Map.entry("torch.FloatStorage", DType.F32),
            Map.entry("torch.HalfStorage", DType.F16),
            Map.entry("torch.BFloat16Storage", DType.BF16),
            Map.entry("torch.LongStorage", DType.I64),
            Map.entry("torch.IntStorage", DType.I32),
            Map.entry("torch.ShortStorage", DType.I16),
            Map.entry("torch.CharStorage", DType.I8),
            Map.entry("torch.ByteStorage", DType.U8),
            Map.entry("torch.BoolStorage", DType.BOOL),
            Map.entry("torch.UntypedStorage", DType.U8));

    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("torch.float64", DType.F64),
            Map.entry("torch.float32", DType.F32),
            Map.entry("torch.float16", DType.F16),
            Map.entry("torch.bfloat16", DType.BF16),
            Map.entry("torch.float8_e4m3fn", DType.F8_E4M3),
            Map.entry("torch.float8_e5m2", DType.F8_E5M2),
            Map.entry("torch.int64", DType.I64),
            Map.entry("torch.int32", DType.I32),
            Map.entry("torch.int16", DType.I16),
            Map.entry("torch.int8", DType.I8),
            Map.entry("torch.uint8", DType.U8),
            Map.entry("torch.bool", DType.BOOL));

    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor";
    private static final String REBUILD_TENSOR_V2 = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_TENSOR_V3 = "torch._utils._rebuild_tensor_v3";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String REBUILD_PARAMETER_WITH_STATE = "torch._utils._rebuild_parameter_with_state";
    private static final Set<String> CALLABLES = Set.of(ORDERED_DICT, REBUILD_TENSOR, REBUILD_TENSOR_V2,
            REBUILD_TENSOR_V3, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE);

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    /** Deepest nesting of containers a consumer of the result follows. */
    static final int MAX_DEPTH = 100;
    /** Nodes (tuples and scalars, counted with repeats) a dict key may have. */
    static final int MAX_KEY_NODES = 10_000;
    /** Digits of a text-encoded integer or float (CPython's default {@code sys.int_info.default_max_str_digits}). */
    static final int MAX_DIGITS = 4300;
    private static final long BASE_WORK = 1_000_000;

    private final String source;
    private final ByteBuffer in;
    private final long workLimit;
    private long work;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, byte[] pickle) {
        this.source = source;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.workLimit = workLimit(pickle.length);
    }

    /**
     * Operations allowed for a pickle of {@code length} bytes: every opcode and every item copied counts one. A
     * pickle builds each item with at least one opcode, so honest files use about their length; only memo reuse
     * (the same list fed to many calls) can go beyond it.
     */
    static long workLimit(int length) {
        return BASE_WORK + 16L * length;
    }

    /** Whether {@code qualifiedName} ({@code module.name}) may appear in a pickle. */
    static boolean isAllowedGlobal(String qualifiedName) {
        return CALLABLES.contains(qualifiedName) || STORAGE_TYPES.containsKey(qualifiedName)
                || DTYPES.containsKey(qualifiedName);
    }

    /** Interprets {@code pickle}; {@code source} names the file in error messages. */
    static Object load(String source, byte[] pickle) {
        try {
            return new RestrictedUnpickler(source, pickle).run();
        } catch (StackOverflowError e) { // a safety net: nothing here recurses on the data, but say so if it did
            throw new WeightException(source + ": pickle nests too deeply to read (more than " + MAX_DEPTH
                    + " levels are not expected in a weights file)");
        }
    }

    private WeightException error(String message) {
        return new WeightException(source + ": " + message);
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) {
                throw error("pickle ends without a STOP opcode (truncated data.pkl?)");
            }
            int at = in.position();
            int op = in.get() & 0xff;
            spend(1);
            try {
                switch (op) {
                    case 0x80 -> { // PROTO
                        int protocol = u8();
                        if (protocol > 5) {
                            throw error("pickle protocol " + protocol + " is not supported");
                        }
                    }
                    case 0x95 -> bytes(8); // FRAME: framing is irrelevant when the whole pickle is in memory
                    case '.' -> { // STOP
                        Object result = pop();
                        if (!stack.isEmpty()) {
                            throw error("pickle leaves " + stack.size() + " value(s) on the stack at STOP");
                        }
                        return result;
                    }
                    case '(' -> {
                        marks.add(stack.size());
                        stack.add(MARK);
                    }
                    case ')' -> push(new Tuple(List.of()));
                    case 't' -> push(new Tuple(popToMark()));
                    case 0x85 -> push(new Tuple(List.of(nonMark(pop()))));
                    case 0x86 -> {
                        Object b = pop();
                        Object a = pop();
                        push(new Tuple(List.of(nonMark(a), nonMark(b))));
                    }
                    case 0x87 -> {
                        Object c = pop();
                        Object b = pop();
                        Object a = pop();
                        push(new Tuple(List.of(nonMark(a), nonMark(b), nonMark(c))));
                    }
                    case ']' -> push(new ArrayList<>());
                    case 'l' -> push(new ArrayList<>(popToMark()));
                    case '}' -> push(new LinkedHashMap<>());
                    case 'd' -> {
                        List<Object> items = popToMark();
                        Map<Object, Object> dict = new LinkedHashMap<>();
                        putPairs(dict, items);
                        push(dict);
                    }
                    case 'a' -> {
                        Object value = pop();
                        list(peek()).add(value);
                    }
                    case 'e' -> {
                        List<Object> items = popToMark();
                        spend(items.size());
                        list(peek()).addAll(items);
                    }
                    case 's' -> {
                        Object value = pop();
                        Object key = pop();
                        dict(peek()).put(hashable(key), value);
                    }
                    case 'u' -> {
                        List<Object> items = popToMark();
                        putPairs(dict(peek()), items);
                    }
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt());
                    case 'K' -> push((long) u8());
                    case 'M' -> push((long) (in.getShort() & 0xffff));
                    case 0x8a -> push(longFromBytes(bytes(u8())));
                    case 0x8b -> push(longFromBytes(bytes(length(in.getInt() & 0xffffffffL))));
                    case 'I' -> {
                        String line = number(line(), at);
                        push(line.equals("01") ? (Object) Boolean.TRUE : line.equals("00") ? (Object) Boolean.FALSE
                                : (Object) Long.parseLong(line));
                    }
                    case 'L' -> {
                        String line = number(line(), at);
                        push(simplify(new BigInteger(line.endsWith("L") ? line.substring(0, line.length() - 1) : line)));
                    }
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                    case 'F' -> push(Double.parseDouble(number(line(), at)));
                    case 'X' -> push(utf8(bytes(length(in.getInt() & 0xffffffffL))));
                    case 0x8c -> push(utf8(bytes(u8())));
                    case 0x8d -> push(utf8(bytes(length(in.getLong()))));
                    case 'U' -> push(utf8(bytes(u8())));
                    case 'T' -> push(utf8(bytes(length(in.getInt() & 0xffffffffL))));
                    case 'C' -> push(bytes(u8()));
                    case 'B' -> push(bytes(length(in.getInt() & 0xffffffffL)));
                    case 0x8e -> push(bytes(length(in.getLong())));
                    case 'c' -> {
                        String module = line();
                        String name = line();
                        push(global(module, name));
                    }
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop();
                        Object module = pop();
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw error("STACK_GLOBAL needs two strings");
                        }
                        push(global(m, n));
                    }
                    case 'R' -> {
                        Object args = pop();
                        Object callable = pop();
                        push(call(callable, args));
                    }
                    case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args), only OrderedDict is allowed
                        Object args = pop();
                        Object cls = pop();
                        push(call(cls, args));
                    }
                    case 'b' -> {
                        Object state = pop();
                        build(peek(), state);
                    }
                    case 'Q' -> push(persistentLoad(pop()));
                    case 'P' -> push(persistentLoad(line()));
                    case 'q' -> memo.put((long) u8(), nonMark(peek()));
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, nonMark(peek()));
                    case 'p' -> memo.put(Long.parseLong(number(line(), at)), nonMark(peek()));
                    case 0x94 -> memo.put((long) memo.size(), nonMark(peek()));
                    case 'h' -> push(memoGet(u8()));
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                    case 'g' -> push(memoGet(Long.parseLong(number(line(), at))));
                    case '2' -> push(nonMark(peek()));
                    case '0' -> pop();
                    case '1' -> popToMark();
                    default -> throw error(String.format("unsupported pickle opcode 0x%02x at offset %d", op, at));
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw error("pickle is truncated (opcode at offset " + at + " runs past the end)");
            } catch (NumberFormatException e) {
                throw error("malformed number in pickle at offset " + at + ": " + e.getMessage());
            }
        }
    }

    private Object global(String module, String name) {
        String qualified = module + "." + name;
        if (!isAllowedGlobal(qualified)) {
            throw error("pickle refers to the global '" + qualified + "', which is not allowed in a weights file "
                    + "(only tensor rebuild functions, OrderedDict, storage types and dtypes are); nothing was executed");
        }
        return new Global(module, name);
    }

    private Object call(Object callable, Object argsObject) {
        if (!(callable instanceof Global g)) {
            throw error("pickle calls a " + describe(callable) + ", which is not an allowed function");
        }
        List<Object> args = argsObject instanceof Tuple t ? t.items() : null;
        if (args == null) {
            throw error("arguments of " + g + " are not a tuple");
        }
        switch (g.qualified()) {
            case ORDERED_DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    spend(pairs.size());
                    for (Object pair : pairs) {
                        List<Object> kv = sequence(pair);
                        if (kv.size() != 2) {
                            throw error("OrderedDict item is not a (key, value) pair");
                        }
                        dict.put(hashable(kv.get(0)), kv.get(1));
                    }
                } else if (!args.isEmpty()) {
                    throw error("OrderedDict called with " + args.size() + " arguments");
                }
                return dict;
            }
            case REBUILD_TENSOR, REBUILD_TENSOR_V2 -> {
                int min = g.qualified().equals(REBUILD_TENSOR) ? 4 : 6;
                if (args.size() < min || args.size() > min + 1) {
                    throw error(g + " called with " + args.size() + " arguments");
                }
                StorageRef storage = storage(args.get(0), g);
                if (storage.untyped()) {
                    throw error(g + " called on an untyped storage (only _rebuild_tensor_v3 carries a dtype)");
                }
                return tensor(storage, storage.dtype(), args, g);
            }
            case REBUILD_TENSOR_V3 -> {
                if (args.size() < 7 || args.size() > 8) {
                    throw error(g + " called with " + args.size() + " arguments");
                }
                StorageRef storage = storage(args.get(0), g);
                if (!(args.get(6) instanceof Global dtypeGlobal) || !DTYPES.containsKey(dtypeGlobal.qualified())) {
                    throw error(g + " has a dtype argument " + describe(args.get(6)) + " that is not a known dtype");
                }
                DType dtype = DTYPES.get(dtypeGlobal.qualified());
                if (!storage.untyped() && storage.dtype() != dtype) {
                    throw error(g + " views a " + storage.dtype() + " storage as " + dtype);
                }
                return tensor(storage, dtype, args, g);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                if (args.isEmpty() || !(args.get(0) instanceof TensorRef)) {
                    throw error(g + " called without a tensor");
                }
                return args.get(0);
            }
            default -> throw error("pickle calls '" + g + "', which may appear only as a value, not be called");
        }
    }

    private TensorRef tensor(StorageRef storage, DType dtype, List<Object> args, Global g) {
        long offset = integer(args.get(1), g + " storage offset");
        List<Object> size = sequence(args.get(2));
        List<Object> stride = sequence(args.get(3));
        if (size.size() != stride.size()) {
            throw error(g + " has " + size.size() + " sizes but " + stride.size() + " strides");
        }
        long[] shape = new long[size.size()];
        long[] strides = new long[size.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = integer(size.get(i), g + " size");
            strides[i] = integer(stride.get(i), g + " stride");
        }
        return new TensorRef(storage, dtype, offset, shape, strides);
    }

    private StorageRef storage(Object value, Global g) {
        if (!(value instanceof StorageRef s)) {
            throw error(g + " called on " + describe(value) + " instead of a storage");
        }
        return s;
    }

    private void build(Object target, Object state) {
        // OrderedDict state dicts carry a '_metadata' attribute (module versions); it does not affect the tensors.
        if (target instanceof Map<?, ?> && (state == null || state instanceof Map<?, ?>)) {
            return;
        }
        throw error("pickle sets the state of a " + describe(target) + ", which is not supported");
    }

    private Object persistentLoad(Object pid) {
        List<Object> id = pid instanceof Tuple t ? t.items() : null;
        if (id == null || id.size() != 5 || !"storage".equals(id.get(0))) {
            throw error("unsupported persistent id " + describe(pid) + " (expected ('storage', type, key, location,"
                    + " numel))");
        }
        if (!(id.get(1) instanceof Global type) || !STORAGE_TYPES.containsKey(type.qualified())) {
            throw error("persistent id names " + describe(id.get(1)) + ", which is not a storage type");
        }
        if (!(id.get(2) instanceof String key) || !(id.get(3) instanceof String location)) {
            throw error("persistent id " + describe(pid) + " has a malformed key or location");
        }
        long numel = integer(id.get(4), "storage size");
        boolean untyped = type.qualified().equals("torch.UntypedStorage");
        return new StorageRef(STORAGE_TYPES.get(type.qualified()), untyped, key, location, numel);
    }

    private long integer(Object value, String what) {
        if (value instanceof Long l) {
            return l;
        }
        throw error(what + " is " + describe(value) + ", not an integer");
    }

    private List<Object> sequence(Object value) {
        if (value instanceof Tuple t) {
            return t.items();
        }
        if (value instanceof List<?> l) {
            spend(l.size());
            return new ArrayList<>(l);
        }
        throw error("expected a tuple or list, found " + describe(value));
    }

    /** A short description of a pickled value for messages: bounded in depth and length, safe on cycles. */
    static String describe(Object value) {
        StringBuilder sb = new StringBuilder();
        describe(value, sb, 0);
        return sb.length() > 200 ? sb.substring(0, 200) + "…" : sb.toString();
    }

    private static void describe(Object value, StringBuilder sb, int depth) {
        if (value == null) {
            sb.append("None");
        } else if (value instanceof Global g) {
            sb.append('\'').append(g.qualified()).append('\'');
        } else if (value instanceof String s) {
            sb.append("string '").append(s, 0, Math.min(s.length(), 80)).append(s.length() > 80 ? "…'" : "'");
        } else if (value instanceof BigInteger big && big.bitLength() > 256) {
            sb.append("integer of ").append(big.bitLength()).append(" bits");
        } else if (value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof BigInteger) {
            sb.append(value.getClass().getSimpleName()).append(' ').append(value);
        } else if (value instanceof Tuple || value instanceof List<?> || value instanceof Map<?, ?>) {
            Collection<?> items = value instanceof Tuple t ? t.items()
                    : value instanceof List<?> l ? l : ((Map<?, ?>) value).keySet();
            String kind = value instanceof Tuple ? "tuple" : value instanceof List<?> ? "list" : "dict";
            sb.append(kind).append(" of ").append(items.size());
            if (depth < 2 && !items.isEmpty()) {
                sb.append(value instanceof Map<?, ?> ? " (keys " : " (");
                int shown = 0;
                for (Object item : items) {
                    if (shown++ == 4) {
                        sb.append(", …");
                        break;
                    }
                    sb.append(shown > 1 ? ", " : "");
                    describe(item, sb, depth + 1);
                }
                sb.append(')');
            }
        } else if (value instanceof byte[] b) {
            sb.append("bytes of ").append(b.length);
        } else if (value == MARK) {
            sb.append("MARK");
        } else {
            sb.append(value.getClass().getSimpleName()).append(' ').append(value);
        }
    }

    private void putPairs(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    /**
     * {@code key} if it may be a dict key: a scalar, or a tuple of scalars and tuples with at most
     * {@value #MAX_KEY_NODES} nodes counted with repeats and {@value #MAX_DEPTH} levels (checked iteratively before
     * anything hashes it, since hashing recurses).
     */
    private Object hashable(Object key) {
        if (isScalar(key)) {
            return key;
        }
        if (!(key instanceof Tuple)) {
            throw error("dict key " + describe(key) + " is not supported (only strings, numbers and tuples of them)");
        }
        record Node(Object value, int depth) {
        }
        ArrayDeque<Node> pending = new ArrayDeque<>();
        pending.push(new Node(key, 1));
        int nodes = 0;
        while (!pending.isEmpty()) {
            Node next = pending.pop();
            Object node = next.value();
            if (++nodes > MAX_KEY_NODES) {
                throw error("dict key " + describe(key) + " has more than " + MAX_KEY_NODES + " nested items"
                        + " (a hash bomb?); refused before hashing it");
            }
            if (next.depth() > MAX_DEPTH) {
                throw error("dict key " + describe(key) + " nests tuples deeper than " + MAX_DEPTH + " levels");
            }
            spend(1);
            if (node instanceof Tuple t) {
                t.items().forEach(item -> pending.push(new Node(item, next.depth() + 1)));
            } else if (!isScalar(node)) {
                throw error("dict key " + describe(key) + " holds a " + describe(node)
                        + ", which is not hashable (only strings, numbers and tuples of them)");
            }
        }
        return key;
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof BigInteger
                || value instanceof Boolean || value instanceof Double;
    }

    private void spend(long operations) {
        work += operations;
        if (work > workLimit) {
            throw error("pickle needs more than " + workLimit + " operations for " + in.capacity() + " bytes"
                    + " (limit " + BASE_WORK + " + 16 per byte; memo reuse blowing up work?); refused");
        }
    }

    private String number(String text, int at) {
        if (text.length() > MAX_DIGITS) {
            throw error("number of " + text.length() + " characters at offset " + at + " (limit " + MAX_DIGITS + ")");
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) {
        if (value instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw error("APPEND to a " + describe(value) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object value) {
        if (value instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw error("SETITEM on a " + describe(value) + ", not a dict");
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw error("pickle reads memo slot " + index + " before writing it");
        }
        return memo.get(index);
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw error("pickle stack underflow at offset " + (in.position() - 1));
        }
        Object value = stack.remove(stack.size() - 1);
        if (value == MARK) {
            throw error("pickle pops a MARK as a value at offset " + (in.position() - 1));
        }
        return value;
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw error("pickle stack underflow at offset " + (in.position() - 1));
        }
        return stack.get(stack.size() - 1);
    }

    private Object nonMark(Object value) {
        if (value == MARK) {
            throw error("pickle uses a MARK as a value at offset " + (in.position() - 1));
        }
        return value;
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw error("pickle closes a MARK that was never opened at offset " + (in.position() - 1));
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> tail = stack.subList(mark + 1, stack.size());
        spend(tail.size());
        List<Object> items = new ArrayList<>(tail);
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private int u8() {
        return in.get() & 0xff;
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw error("pickle string of " + n + " bytes runs past the end of the data");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String line() {
        int start = in.position();
        boolean terminated = false;
        while (!terminated && in.hasRemaining()) {
            terminated = in.get() == '\n';
        }
        if (!terminated) {
            throw error("pickle text argument at offset " + start + " has no terminating newline");
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Object longFromBytes(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return simplify(new BigInteger(bigEndian));
    }

    private static Object simplify(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }
}
