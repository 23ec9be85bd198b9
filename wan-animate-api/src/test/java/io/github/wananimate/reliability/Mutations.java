package io.github.wananimate.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Seeded byte-level mutations of a valid file, and a harness that runs a reader on each mutant with a time bound and
 * counts the outcomes: "ok", the simple name of each accepted (SDK) exception, and anything else as a failure.
 */
public final class Mutations {

    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};

    private Mutations() {
    }

    /**
     * One mutant of {@code valid}: flipped bits, an interesting 1/2/4/8-byte value, a truncation, a duplicated or
     * deleted chunk, or random bytes. Three in four edits land in {@code [hotStart, hotEnd)} (e.g. a header or a zip
     * central directory) while it lies inside the (possibly already shortened) data.
     */
    public static byte[] mutate(byte[] valid, Random random, int hotStart, int hotEnd) {
        byte[] b = valid.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int end = Math.min(hotEnd, b.length);
            int at = hotStart < end && random.nextInt(4) != 0 ? hotStart + random.nextInt(end - hotStart)
                    : random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> {
                    int width = new int[] {2, 4, 8}[random.nextInt(3)];
                    if (at + width <= b.length) {
                        ByteBuffer w = ByteBuffer.wrap(b, at, width).order(ByteOrder.LITTLE_ENDIAN);
                        long v = INTERESTING[random.nextInt(INTERESTING.length)];
                        switch (width) {
                            case 2 -> w.putShort((short) v);
                            case 4 -> w.putInt((int) v);
                            default -> w.putLong(v);
                        }
                    }
                }
                case 3 -> b = Arrays.copyOf(b, at);
                case 4 -> {
                    int n = Math.min(b.length - at, 1 + random.nextInt(64));
                    byte[] out = new byte[b.length + n];
                    System.arraycopy(b, 0, out, 0, at + n);
                    System.arraycopy(b, at, out, at + n, b.length - at);
                    b = out;
                }
                case 5 -> {
                    int n = Math.min(b.length - at, 1 + random.nextInt(64));
                    byte[] out = new byte[b.length - n];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + n, out, at, b.length - at - n);
                    b = out;
                }
                default -> {
                    int n = Math.min(b.length - at, 1 + random.nextInt(16));
                    for (int i = 0; i < n; i++) {
                        b[at + i] = (byte) random.nextInt(256);
                    }
                }
            }
        }
        return b;
    }

    /** A reader run on one input. */
    @FunctionalInterface
    public interface Reader {
        void read(byte[] input) throws Exception;
    }

    /** Outcome counts of a fuzz run; {@link #failures} holds the first few unexpected throwables. */
    public static final class Outcomes {
        public final Map<String, Integer> counts = new TreeMap<>();
        public final StringBuilder failures = new StringBuilder();
        public int tried;
        public int unexpected;

        @Override
        public String toString() {
            return tried + " mutants: " + counts;
        }
    }

    /**
     * Runs {@code reader} on {@code count} mutants of {@code valid}, each within {@code timeoutMillis}; a result is
     * "ok", an exception whose class is in {@code accepted} (or a subclass), or unexpected (any {@link Error},
     * another exception, a timeout).
     */
    @SafeVarargs
    public static Outcomes run(String name, byte[] valid, int hotStart, int hotEnd, int count, long seed,
            long timeoutMillis,
            Reader reader, Class<? extends Exception>... accepted) {
        Random random = new Random(seed);
        Outcomes outcomes = new Outcomes();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-" + name, 1 << 20);
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < count; i++) {
                byte[] input = mutate(valid, random, hotStart, hotEnd);
                Future<?> f = pool.submit(() -> {
                    reader.read(input);
                    return null;
                });
                String outcome;
                Throwable problem = null;
                try {
                    f.get(timeoutMillis, TimeUnit.MILLISECONDS);
                    outcome = "ok";
                } catch (TimeoutException e) {
                    f.cancel(true);
                    outcome = "TIMEOUT";
                    problem = e;
                    pool.shutdownNow();
                    pool = Executors.newSingleThreadExecutor();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    outcome = cause.getClass().getSimpleName();
                    boolean ok = false;
                    for (Class<? extends Exception> c : accepted) {
                        ok |= c.isInstance(cause);
                    }
                    problem = ok ? null : cause;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                outcomes.tried++;
                outcomes.counts.merge(outcome, 1, Integer::sum);
                if (problem != null) {
                    outcomes.unexpected++;
                    if (outcomes.unexpected <= 5) {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        problem.printStackTrace(new java.io.PrintWriter(trace));
                        String text = trace.toString();
                        outcomes.failures.append("\n--- ").append(name).append(" mutant ").append(i).append(": ")
                                .append(text, 0, Math.min(text.length(), 1500));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("fuzz " + name + ": " + outcomes);
        return outcomes;
    }
}
