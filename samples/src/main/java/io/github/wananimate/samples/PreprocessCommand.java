package io.github.wananimate.samples;

import io.github.wananimate.api.Frame;
import io.github.wananimate.api.FrameSequence;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.folder.PreprocessFolderWriter;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.BinaryMask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wan-animate preprocess}: writes driving signals as the official preprocessing folder ({@code src_pose.mp4},
 * {@code src_face.mp4}, {@code src_ref.png}, and for replacement {@code src_bg.mp4}, {@code src_mask.mp4}), the
 * layout {@code generate.py --src_root_path} and {@code wan-animate animate -i} read.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Writes driving signals as the official preprocessing folder (src_pose.mp4, src_face.mp4, "
                + "src_ref.png; with --replace also src_bg.mp4 and src_mask.mp4), readable by `wan-animate animate -i` "
                + "and by the original generate.py --src_root_path.",
                "Source: the bundled 13-frame sample (--demo).",
                "  wan-animate preprocess --demo -o sample/ && wan-animate animate -i sample/",
                ""})
final class PreprocessCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--demo", required = true, description = "use the bundled sample (pose rendered from its "
            + "keypoints, face crops, reference)")
    boolean demo;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "<dir>", description = "folder to write")
    Path output;

    @Option(names = "--replace", description = "also write the replacement signals (person-box mask, background)")
    boolean replace;

    @Option(names = "--size", defaultValue = "112x64", description = "pose (generation) size WIDTHxHEIGHT, "
            + "multiples of 16 (default ${DEFAULT-VALUE})")
    String size;

    @Override
    public Integer call() throws IOException {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        int width;
        int height;
        try {
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[wh.length - 1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT, got '" + size + "'");
        }
        if (wh.length != 2 || width <= 0 || height <= 0 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT with multiples of 16, got '" + size + "'");
        }
        DemoSample sample = DemoSample.load(width, height);
        MotionSignals signals = replace ? sample.replacementSignals() : sample.signals();
        try (PreprocessFolderWriter writer = PreprocessFolderWriter.create(output, rgb(signals.reference()), width,
                height, signals.fps(), replace)) {
            for (int i = 0; i < signals.frameCount(); i++) {
                RgbImage pose = rgb(signals.pose().get(i));
                RgbImage face = rgb(signals.face().get(i));
                if (replace) {
                    writer.write(pose, face, rgb(signals.background().get().get(i)),
                            mask(signals.mask().get(), i));
                } else {
                    writer.write(pose, face);
                }
            }
            writer.finish();
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "Wrote %s: %d frames of %dx%d at %.2f fps%s%n", output,
                signals.frameCount(), width, height, signals.fps(), replace ? ", with mask and background" : "");
        return ExitCodes.OK;
    }

    private static RgbImage rgb(Frame frame) {
        return new RgbImage(frame.width(), frame.height(), frame.toRgbBytes());
    }

    private static BinaryMask mask(FrameSequence masks, int index) {
        Frame m = masks.get(index);
        byte[] bits = new byte[m.width() * m.height()];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                bits[y * m.width() + x] = (byte) (m.sample(x, y, 0) >= 128 ? 1 : 0);
            }
        }
        return new BinaryMask(m.width(), m.height(), bits);
    }
}
