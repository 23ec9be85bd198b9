package io.github.wananimate.preprocess.pose;

/** The "AA body-20" layout and its limb table (PIPELINE.md §3.7). */
public final class AaLayout {

    public static final int NOSE = 0;
    public static final int NECK = 1;
    public static final int R_SHOULDER = 2;
    public static final int R_ELBOW = 3;
    public static final int R_WRIST = 4;
    public static final int L_SHOULDER = 5;
    public static final int L_ELBOW = 6;
    public static final int L_WRIST = 7;
    public static final int R_HIP = 8;
    public static final int R_KNEE = 9;
    public static final int R_ANKLE = 10;
    public static final int L_HIP = 11;
    public static final int L_KNEE = 12;
    public static final int L_ANKLE = 13;
    public static final int R_EYE = 14;
    public static final int L_EYE = 15;
    public static final int R_EAR = 16;
    public static final int L_EAR = 17;
    public static final int L_TOE = 18;
    public static final int R_TOE = 19;

    public static final int BODY_POINTS = 20;
    /** Face rows: row 0 is COCO point 22 (the right heel), rows 1…68 the 68 landmarks. */
    public static final int FACE_ROWS = 69;

    /** AA entry i is the average of COCO points FIRST[i] and SECOND[i] (x, y and score averaged). */
    static final int[] FIRST = {0, 6, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3, 17, 20};
    static final int[] SECOND = {0, 5, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3, 18, 21};

    /** The 19 limbs (parent, child), 0-based, in drawing and retargeting order. */
    public static final int[][] LIMBS = {
        {1, 2}, {1, 5}, {2, 3}, {3, 4}, {5, 6}, {6, 7}, {1, 8}, {8, 9}, {9, 10}, {1, 11}, {11, 12}, {12, 13},
        {1, 0}, {0, 14}, {14, 16}, {0, 15}, {15, 17}, {13, 18}, {10, 19},
    };

    /** Limb colours (R, G, B); entry 19 is the 20th joint's colour. */
    public static final int[][] COLORS = {
        {255, 0, 0}, {255, 85, 0}, {255, 170, 0}, {255, 255, 0}, {170, 255, 0}, {85, 255, 0}, {0, 255, 0},
        {0, 255, 85}, {0, 255, 170}, {0, 255, 255}, {0, 170, 255}, {0, 85, 255}, {0, 0, 255}, {85, 0, 255},
        {170, 0, 255}, {255, 0, 255}, {255, 0, 170}, {255, 0, 85}, {200, 200, 0}, {100, 100, 0},
    };

    /** The 20 hand edges (0–1–2–3–4, 0–5…8, 0–9…12, 0–13…16, 0–17…20). */
    public static final int[][] HAND_EDGES = {
        {0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 5}, {5, 6}, {6, 7}, {7, 8}, {0, 9}, {9, 10}, {10, 11}, {11, 12},
        {0, 13}, {13, 14}, {14, 15}, {15, 16}, {0, 17}, {17, 18}, {18, 19}, {19, 20},
    };

    private AaLayout() {
    }
}
