package io.github.wananimate.preprocess.folder;

import io.github.wananimate.preprocess.face.FaceCropper;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.video.VideoWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the official preprocessing folder frame by frame: {@code src_pose.mp4}, {@code src_face.mp4},
 * {@code src_ref.png} and, for replacement, {@code src_bg.mp4} and {@code src_mask.mp4} (mask·255 in all three
 * channels). Every video is H.264 at the preprocessing fps, so the folder is usable by the original
 * {@code generate.py} too. Each video appears in the folder only once complete ({@link #finish()}); closing
 * without finishing leaves none of them.
 */
public final class PreprocessFolderWriter implements AutoCloseable {

    private final Path folder;
    private final int width;
    private final int height;
    private final boolean replacement;
    private final VideoWriter pose;
    private final VideoWriter face;
    private final VideoWriter background;
    private final VideoWriter mask;
    private final Path referenceSource;
    private final RgbImage referenceImage;
    private int frames;

    private PreprocessFolderWriter(Path folder, int width, int height, double fps, boolean replacement,
            Path referenceSource, RgbImage referenceImage) {
        this.folder = folder;
        this.width = width;
        this.height = height;
        this.replacement = replacement;
        this.referenceSource = referenceSource;
        this.referenceImage = referenceImage;
        List<VideoWriter> opened = new ArrayList<>();
        try {
            pose = add(opened, VideoWriter.create(folder.resolve(PreprocessFolder.POSE), width, height, fps));
            face = add(opened, VideoWriter.create(folder.resolve(PreprocessFolder.FACE), FaceCropper.SIZE,
                    FaceCropper.SIZE, fps));
            background = replacement ? add(opened, VideoWriter.create(folder.resolve(PreprocessFolder.BACKGROUND),
                    width, height, fps)) : null;
            mask = replacement ? add(opened, VideoWriter.create(folder.resolve(PreprocessFolder.MASK), width, height,
                    fps)) : null;
        } catch (RuntimeException e) {
            opened.forEach(VideoWriter::close);
            throw e;
        }
    }

    private static VideoWriter add(List<VideoWriter> opened, VideoWriter w) {
        opened.add(w);
        return w;
    }

    /**
     * @param reference the user's reference file, copied byte for byte to {@code src_ref.png} as the original's
     *     {@code shutil.copy} (so it may hold JPEG data)
     * @param width pose (generation) width
     * @param height pose height
     */
    public static PreprocessFolderWriter create(Path folder, Path reference, int width, int height, double fps,
            boolean replacement) {
        if (!Files.isRegularFile(reference)) {
            throw new UncheckedIOException(new IOException("reference image not found: " + reference));
        }
        return new PreprocessFolderWriter(folder, width, height, fps, replacement, reference, null);
    }

    /** As {@link #create(Path, Path, int, int, double, boolean)} with a reference image written as PNG. */
    public static PreprocessFolderWriter create(Path folder, RgbImage reference, int width, int height, double fps,
            boolean replacement) {
        return new PreprocessFolderWriter(folder, width, height, fps, replacement, null, reference);
    }

    /** Animation frame: the rendered pose and the 512×512 face crop. */
    public void write(RgbImage poseFrame, RgbImage faceCrop) {
        if (replacement) {
            throw new IllegalStateException(folder + ": a replacement folder needs background and mask frames");
        }
        pose.write(poseFrame);
        face.write(faceCrop);
        frames++;
    }

    /** Replacement frame: pose, face crop, background (character blacked out) and mask. */
    public void write(RgbImage poseFrame, RgbImage faceCrop, RgbImage backgroundFrame, BinaryMask characterMask) {
        if (!replacement) {
            throw new IllegalStateException(folder + ": an animation folder has no background or mask");
        }
        if (characterMask.width() != width || characterMask.height() != height) {
            throw new IllegalArgumentException(folder + ": mask of frame " + frames + " is " + characterMask.width()
                    + "x" + characterMask.height() + ", expected " + width + "x" + height);
        }
        pose.write(poseFrame);
        face.write(faceCrop);
        background.write(backgroundFrame);
        mask.write(maskImage(characterMask));
        frames++;
    }

    /** mask·255 replicated into three channels, as the original writes {@code src_mask.mp4}. */
    public static RgbImage maskImage(BinaryMask m) {
        byte[] bits = m.toBytes();
        byte[] rgb = new byte[bits.length * 3];
        for (int i = 0; i < bits.length; i++) {
            byte v = bits[i] != 0 ? (byte) 255 : 0;
            rgb[i * 3] = v;
            rgb[i * 3 + 1] = v;
            rgb[i * 3 + 2] = v;
        }
        return new RgbImage(m.width(), m.height(), rgb);
    }

    public int framesWritten() {
        return frames;
    }

    /** Finishes every video and writes the reference. */
    public void finish() throws IOException {
        Path ref = folder.resolve(PreprocessFolder.REFERENCE);
        if (referenceSource != null) {
            Files.copy(referenceSource, ref, StandardCopyOption.REPLACE_EXISTING);
        } else {
            ImageFiles.write(referenceImage, ref);
        }
        pose.finish();
        face.finish();
        if (replacement) {
            background.finish();
            mask.finish();
        }
    }

    @Override
    public void close() {
        pose.close();
        face.close();
        if (replacement) {
            background.close();
            mask.close();
        }
    }
}
