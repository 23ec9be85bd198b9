package io.github.wananimate.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the results table.
 *
 * @param status {@link #OK} (rendered now), {@link #SKIPPED} (its output was already complete) or {@link #FAILED}
 * @param output the mp4's URI (null when the row could not be parsed that far)
 * @param frames frames in the video (0 when failed)
 * @param seconds wall time of the render (0 when skipped or failed before rendering)
 * @param seed the noise seed (−1 when unknown)
 * @param errorClass the failure's exception class (null unless failed)
 * @param errorMessage the failure's message (null unless failed)
 */
public record RenderResult(String id, String status, String output, int frames, double fps, double seconds,
        String backend, String device, long seed, String errorClass, String errorMessage) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";

    /** The results table's schema (column names in snake case, as the job table's). */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("output", DataTypes.StringType, true)
            .add("frames", DataTypes.IntegerType, false)
            .add("fps", DataTypes.DoubleType, false)
            .add("seconds", DataTypes.DoubleType, false)
            .add("backend", DataTypes.StringType, true)
            .add("device", DataTypes.StringType, true)
            .add("seed", DataTypes.LongType, false)
            .add("error_class", DataTypes.StringType, true)
            .add("error_message", DataTypes.StringType, true);

    /** A failed row; {@code error}'s class and message (its cause's, for a wrapper without a message) are kept. */
    public static RenderResult failed(String id, String output, long seed, String device, Throwable error) {
        Throwable shown = error;
        while (shown.getMessage() == null && shown.getCause() != null) {
            shown = shown.getCause();
        }
        return new RenderResult(id, FAILED, output, 0, 0, 0, null, device, seed, shown.getClass().getName(),
                String.valueOf(shown.getMessage()));
    }

    /** This result as a row of {@link #SCHEMA}. */
    public Row toRow() {
        return RowFactory.create(id, status, output, frames, fps, seconds, backend, device, seed, errorClass,
                errorMessage);
    }

    /** Rows of {@link #SCHEMA}. */
    public static List<Row> toRows(List<RenderResult> results) {
        List<Row> rows = new ArrayList<>(results.size());
        results.forEach(r -> rows.add(r.toRow()));
        return rows;
    }

    /** The one-line summary the driver prints when the row finishes. */
    public String summary() {
        if (status.equals(FAILED)) {
            return String.format(Locale.ROOT, "%-7s %s: %s: %s", status, id, errorClass, errorMessage);
        }
        return String.format(Locale.ROOT, "%-7s %s: %d frames at %.2f fps%s on %s/%s -> %s", status, id, frames, fps,
                status.equals(OK) ? String.format(Locale.ROOT, " in %.1f s", seconds) : "", backend, device, output);
    }
}
