package io.github.wananimate.preprocess.pose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoseSequenceTest {

    @TempDir
    Path dir;

    static PoseSequence sample(int frames, long seed) {
        Random rnd = new Random(seed);
        List<PoseFrame> list = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            int persons = f % 3;
            List<Person> people = new ArrayList<>();
            for (int p = 0; p < persons; p++) {
                float[] kp = new float[WholeBody.POINTS * 3];
                for (int i = 0; i < kp.length; i++) {
                    kp[i] = Float.intBitsToFloat(rnd.nextInt()); // any bit pattern, NaNs and infinities included
                }
                kp[0] = -0.0f;
                people.add(new Person(p, new float[] {1.5f, 2.25f, 300.125f, 400f}, rnd.nextFloat(), new WholeBody(kp)));
            }
            list.add(new PoseFrame(640 + f, 480, people, persons == 0 ? -1 : persons - 1));
        }
        return new PoseSequence(29.97, list);
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        PoseSequence seq = sample(7, 1);
        Path file = dir.resolve("poses.wpose");
        seq.write(file);
        PoseSequence back = PoseSequence.read(file);
        assertThat(back.fps()).isEqualTo(29.97);
        assertThat(back.size()).isEqualTo(7);
        for (int f = 0; f < 7; f++) {
            PoseFrame a = seq.frame(f);
            PoseFrame b = back.frame(f);
            assertThat(b.width()).isEqualTo(a.width());
            assertThat(b.height()).isEqualTo(a.height());
            assertThat(b.subject()).isEqualTo(a.subject());
            assertThat(b.persons()).hasSameSizeAs(a.persons());
            for (int p = 0; p < a.persons().size(); p++) {
                Person pa = a.persons().get(p);
                Person pb = b.persons().get(p);
                assertThat(pb.trackId()).isEqualTo(pa.trackId());
                assertThat(pb.box()).containsExactly(pa.box());
                assertThat(pb.detectionScore()).isEqualTo(pa.detectionScore());
                float[] ka = pa.keypoints().toArray();
                float[] kb = pb.keypoints().toArray();
                for (int i = 0; i < ka.length; i++) {
                    assertThat(Float.floatToRawIntBits(kb[i])).isEqualTo(Float.floatToRawIntBits(ka[i]));
                }
            }
        }
    }

    @Test
    void editsAndRescalingSurviveTheFile() throws IOException {
        PoseSequence seq = sample(3, 2);
        PoseFrame f1 = seq.frame(1);
        Person edited = f1.persons().get(0).withKeypoints(f1.persons().get(0).keypoints().with(0, 10, 20, 0.75f));
        PoseSequence changed = seq.withFrame(1, new PoseFrame(f1.width(), f1.height(), List.of(edited), 0))
                .rescaled(1280, 960);
        Path file = dir.resolve("edited.wpose");
        changed.write(file);
        PoseFrame back = PoseSequence.read(file).frame(1);
        assertThat(back.width()).isEqualTo(1280);
        WholeBody kp = back.subjectPerson().keypoints();
        assertThat(kp.x(0)).isEqualTo((float) (10 * 1280.0 / 641));
        assertThat(kp.y(0)).isEqualTo(40f);
        assertThat(kp.score(0)).isEqualTo(0.75f);
    }

    @Test
    void corruptTruncatedAndForeignFilesAreRejectedWithTheFileName() throws IOException {
        Path file = dir.resolve("p.wpose");
        sample(4, 3).write(file);
        byte[] bytes = Files.readAllBytes(file);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        Path corrupt = Files.write(dir.resolve("corrupt.wpose"), flipped);
        assertThatThrownBy(() -> PoseSequence.read(corrupt)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt.wpose");

        Path truncated = Files.write(dir.resolve("truncated.wpose"), java.util.Arrays.copyOf(bytes, bytes.length - 50));
        assertThatThrownBy(() -> PoseSequence.read(truncated)).hasMessageContaining("truncated");

        Path foreign = Files.write(dir.resolve("foreign.wpose"), "hello world, not poses at all".getBytes());
        assertThatThrownBy(() -> PoseSequence.read(foreign)).hasMessageContaining("bad magic");

        byte[] future = bytes.clone();
        future[8] = 9;
        Path v9 = Files.write(dir.resolve("v9.wpose"), future);
        assertThatThrownBy(() -> PoseSequence.read(v9)).hasMessageContaining("version 9");
    }

    @Test
    void unfinishedWriterLeavesNoFile() throws IOException {
        Path file = dir.resolve("unfinished.wpose");
        try (PoseSequenceWriter w = PoseSequenceWriter.create(file, 30)) {
            w.write(sample(1, 4).frame(0));
        }
        assertThat(file).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void subjectMetasReuseThePreviousBodyWhenEveryBodyPointIsNegative() {
        float[] good = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < WholeBody.POINTS; i++) {
            good[i * 3] = 10 + i;
            good[i * 3 + 1] = 20 + i;
            good[i * 3 + 2] = 0.9f;
        }
        float[] lost = good.clone();
        for (int i = 0; i < 23; i++) {
            lost[i * 3] = -1;  // every body (and foot) point has a negative x
        }
        lost[WholeBody.LEFT_HAND_START * 3] = 77;
        Person a = new Person(0, new float[4], 1, new WholeBody(good));
        Person b = new Person(0, new float[4], 1, new WholeBody(lost));
        PoseSequence seq = new PoseSequence(30, List.of(new PoseFrame(100, 100, List.of(a), 0),
                new PoseFrame(100, 100, List.of(b), 0)));
        List<PoseMeta> metas = seq.subjectMetas();
        assertThat(metas.get(1).body()).containsExactly(metas.get(0).body());
        assertThat(metas.get(1).leftHand()[0]).isEqualTo(0.77f); // hands are not reused
    }
}
