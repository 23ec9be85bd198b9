package io.github.wananimate.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Test helper: the hostile pickles of issue 11 (hash bomb, self reference, deep nesting, work bomb), as bytes or .pth. */
public final class HostilePickles {

    private HostilePickles() {
    }

    /**
     * {@code {t64: 0}} where {@code t0 = ()} and {@code t(i+1) = (t(i), t(i))} through the memo: 1.4 KB of pickle,
     * 2^64 nodes when hashed.
     */
    public static byte[] tupleHashBomb(int levels) {
        Raw p = new Raw().proto(2).op('}').op(')').put(0).op('0');
        for (int i = 1; i <= levels; i++) {
            p.get(i - 1).get(i - 1).op(0x86).put(i).op('0');
        }
        return p.get(levels).op('K').op(0).op('s').op('.').bytes();
    }

    /** {@code l = []; l.append((l,)); {(l,): 1}}: a dict key that reaches itself. */
    public static byte[] selfReferencingKey() {
        return new Raw().proto(2).op('}').op(']').put(0).get(0).op(0x85).op('a').op(0x85).op('K').op(1).op('s')
                .op('.').bytes();
    }

    /** {@code d = {}; d['self'] = d}: a dict that contains itself. */
    public static byte[] selfReferencingDict() {
        return new Raw().proto(2).op('}').put(0).shortString("self").get(0).op('s').op('.').bytes();
    }

    /** {@code {'k': [[[...]]]}} with {@code depth} nested lists as the value. */
    public static byte[] nestedListValue(int depth) {
        Raw p = new Raw().proto(2).op('}').shortString("k");
        for (int i = 0; i < depth; i++) {
            p.op(']');
        }
        for (int i = 1; i < depth; i++) {
            p.op('a');
        }
        return p.op('s').op('.').bytes();
    }

    /** A tuple of {@code depth} nested lists used as a dict key. */
    public static byte[] nestedListKey(int depth) {
        Raw p = new Raw().proto(2).op('}');
        for (int i = 0; i < depth; i++) {
            p.op(']');
        }
        for (int i = 1; i < depth; i++) {
            p.op('a');
        }
        return p.op(0x85).op('K').op(1).op('s').op('.').bytes();
    }

    /** {@code {((((),),),): 1}} with {@code depth} nested one-element tuples as the key. */
    public static byte[] nestedTupleKey(int depth) {
        Raw p = new Raw().proto(2).op('}').op(')');
        for (int i = 1; i < depth; i++) {
            p.op(0x85);
        }
        return p.op('K').op(1).op('s').op('.').bytes();
    }

    /** {@code {'a': {'a': {...}}}} nested {@code depth} dicts deep. */
    public static byte[] nestedDicts(int depth) {
        Raw p = new Raw().proto(2);
        for (int i = 0; i < depth; i++) {
            p.op('}').shortString("a");
        }
        p.op('}');
        for (int i = 0; i < depth; i++) {
            p.op('s');
        }
        return p.op('.').bytes();
    }

    /** The same list of {@code n} pairs passed to {@code OrderedDict} {@code n} times: n² work from O(n) bytes. */
    public static byte[] workBomb(int n) {
        Raw p = new Raw().proto(2).op('}').op('c').text("collections\nOrderedDict\n").put(0).op('0')
                .shortString("k").op('K').op(1).op(0x86).put(1).op('0').op(']').put(2).op('(');
        for (int i = 0; i < n; i++) {
            p.get(1);
        }
        p.op('e').op('0');
        for (int i = 0; i < n; i++) {
            p.get(0).get(2).op(0x85).op('R').op('0');
        }
        return p.op('.').bytes();
    }

    /** A text integer of {@code digits} digits. */
    public static byte[] longTextNumber(int digits) {
        return new Raw().proto(2).op('L').text("7".repeat(digits) + "L\n").op('.').bytes();
    }

    /** {@code pickle} as the data.pkl of a torch.save archive. */
    public static Path checkpoint(Path file, byte[] pickle) throws IOException {
        return TorchSaveWriter.archive("archive", pickle, Map.of()).write(file);
    }

    /** Raw opcodes with memo indices of any size. */
    private static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw op(int b) {
            out.write(b);
            return this;
        }

        Raw proto(int protocol) {
            return op(0x80).op(protocol);
        }

        Raw text(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Raw shortString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c).op(b.length);
            out.writeBytes(b);
            return this;
        }

        Raw put(int index) {
            return index < 256 ? op('q').op(index) : op('r').int32(index);
        }

        Raw get(int index) {
            return index < 256 ? op('h').op(index) : op('j').int32(index);
        }

        private Raw int32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
