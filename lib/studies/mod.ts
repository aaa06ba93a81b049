/**
 * The paper's studies as one-call notebook cells. Each takes `scale: "smoke" | "demo" | "full"` (plus
 * `store`, `seeds`, `executor` and overrides of any run field), is cached and resumable through the study
 * store, and resolves to a `StudyResult` `{ name, dir, records, runs, figures }`.
 *
 * @example
 * ```ts ignore
 * import { pretrainSweep, show } from "trainlarge";
 * const study = await pretrainSweep({ scale: "demo" });
 * await show(study.runs);
 * ```
 * @module
 */
export { CELL_OPTION_KEYS, resolveScale, SCALES } from "./cell.ts";
export type { CellOptions, Scale } from "./cell.ts";
export { PRETRAIN_SWEEP_PRESETS, pretrainSweep } from "./pretrain_sweep.ts";
export type { PretrainPreset, PretrainSweepOptions, SweepSize } from "./pretrain_sweep.ts";
export { TRANSLATION_SWEEP_PRESETS, translationSweep } from "./translation_sweep.ts";
export type { TranslationPreset, TranslationSize, TranslationSweepOptions } from "./translation_sweep.ts";
export { BLEU, finalPoints, finalVsParams, metricCurves, PERPLEXITY, sizeLabel } from "./size_figures.ts";
export type { Row, SizeMetric } from "./size_figures.ts";
