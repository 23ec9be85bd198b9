/**
 * The clip-chaining pipeline (PIPELINE.md §2): {@code WanAnimatePipeline} runs a {@code Job} on bound networks, and
 * its host-side pieces are plain Java on host tensors (only networks run on a backend). Below the public API: it
 * reads frames ({@code video}) and reports through a {@code GenerationMonitor}, never the request types. A generation
 * calls the pieces in this order:
 *
 * <ol>
 * <li>{@code ClipPlan.of(N_real, L, r)}; {@code new LatentGeometry(H, W, L)}; {@code monitor.preparing}.</li>
 * <li>Once: {@code ReferenceLetterbox.paddingResize(reference, H, W)} → {@code PixelVideo.fromFrame} (ref pixels,
 * [3, 1, H, W]); VAE-encode → ref latent [16, 1, h, w]; CLIP on the ref pixels (bicubic 224, block 31) →
 * [1, 257, 1280]; T5 of the prompt (and of the negative prompt when {@code Guidance.enabled(g)}).</li>
 * <li>Per clip k (fresh {@code Samplers.create(solver, steps, shift)} each time):
 * <ol>
 * <li>pose = {@code PixelVideo.fromFrames(pose, clip.sourceFrames())} → VAE → pose latents [1, 16, lat_t, h, w];
 * face = {@code PixelVideo.fromFrames(face, clip.sourceFrames())} [3, L, 512, 512] (batch 1 added);</li>
 * <li>replacement: background pixels via {@code fromFrames}, mask via {@code PixelVideo.maskFromFrames} then
 * {@code ClipConditioning.keepBackgroundMask};</li>
 * <li>V = {@code ClipConditioning.conditioningVideo(replace, previous (null for k = 0), background, L, H, W)} →
 * VAE → [16, lat_t, h, w]; msk = {@code ClipConditioning.clipMask(lat_t, h, w, clip.conditioningFrames(),
 * keep or null)}; y = {@code ClipConditioning.assembleY(refLatent, Enc(V), msk)};</li>
 * <li>x = {@code noise.noise(k, geometry.noiseShape())}; for each step: v = DiT(x, t = sampler.currentTimestep(),
 * context, clip, y, pose, face, seq_len = geometry.maxSequenceLength()); with guidance also the unconditional pass
 * (negative context, {@code Guidance.unconditionalFace}) and {@code Guidance.combine}; x = sampler.step(v, x);
 * {@code monitor.denoised(k, i + 1)};</li>
 * <li>video = {@code ClipOutput.clamp(VAE.decode(ClipOutput.withoutReferenceSlot(x)))} [3, L, H, W]; emit
 * {@code PixelVideo.toFrame(video, j)} for j in [droppedFrames, droppedFrames + emittedFrames) as output frames
 * {@code firstOutputFrame + …}; previous = {@code ClipOutput.frames(video, L − r, L, precision)} (the last r of the
 * trimmed clip are the last r of the clip).</li>
 * </ol>
 * </li>
 * </ol>
 *
 * <p>{@link io.github.wananimate.nn.Precision#BF16} reproduces the original's bf16 casts;
 * {@code FP32} matches the float32 golden fixtures.
 */
package io.github.wananimate.pipeline;
