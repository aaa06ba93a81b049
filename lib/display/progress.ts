/**
 * A live progress bar for budgeted training runs, fed by the training loop's flat log records.
 *
 * Where it draws: in the Deno Jupyter kernel, one output updated in place (display id +
 * `update_display_data`); on a terminal, one stderr line rewritten with `\r`; in a non-interactive log
 * (stderr not a terminal: CI, `nohup`, a pipe), a single summary line when the run is done.
 *
 * Fraction done is the larger of steps/`total` and seconds / the `seconds` budget, because a budgeted run stops at
 * whichever limit comes first. Tokens per second is `tokens / seconds`, where `tokens` counts every token
 * processed so far (cumulative, as the training loop logs it).
 *
 * @module
 */
import { inKernel, publish } from "./kernel.ts";
import { escapeHtml } from "./escape_html.ts";
import { checkChoice, checkKeys, checkNumber } from "../util/options.ts";

/** What the bar reads from each record; other fields are ignored. */
export interface ProgressRecord {
  /** Optimizer steps done so far. */
  step: number;
  /** Training seconds so far (the budget's clock). */
  seconds: number;
  /** Tokens processed so far (cumulative). */
  tokens?: number;
  /** Latest training loss. */
  trainLoss?: number | null;
  /** Latest validation loss (logged only at evaluation steps). */
  valLoss?: number | null;
  /** Any other logged field (ignored by the bar). */
  [field: string]: unknown;
}

/** Where the bar draws; `"auto"` picks jupyter, terminal or log as described in the module doc. */
export type ProgressMode = "auto" | "jupyter" | "terminal" | "log" | "silent";

/** Options for {@linkcode progressBar}. */
export interface ProgressOptions {
  /** Wall-clock budget of the run in seconds. */
  seconds?: number;
  /** Step limit of the run. */
  total?: number;
  /** Shown before the bar, e.g. the model's name. */
  label?: string;
  /** Where to draw. Default `"auto"`. */
  mode?: ProgressMode;
  /** Least milliseconds between redraws (the final one is never skipped). Default 250. */
  minIntervalMs?: number;
  /** Receives terminal/log text instead of stderr (tests, custom sinks). */
  write?: (text: string) => void;
  /** Millisecond clock used for throttling. Default `performance.now`. */
  clock?: () => number;
}

/** Defaults for {@linkcode ProgressOptions}. */
export const PROGRESS_DEFAULTS: Readonly<{ minIntervalMs: number; barWidth: number }> = Object.freeze({
  // 4 redraws a second looks live and costs a notebook a few hundred messages over a 2-minute run.
  minIntervalMs: 250,
  // Characters of the text bar; the rest of the line holds the numbers.
  barWidth: 24,
});

/** What the bar knows after the records so far. */
export interface ProgressState {
  /** Optimizer steps done so far (from the latest record). */
  step: number;
  /** Training seconds so far (from the latest record). */
  seconds: number;
  /** Tokens processed so far, when logged. */
  tokens?: number;
  /** Latest training loss seen. */
  trainLoss?: number;
  /** Latest validation loss seen. */
  valLoss?: number;
  /** In [0, 1], or undefined when neither `total` nor `seconds` is known. */
  fraction?: number;
  /** Seconds left of the budget, or the step-rate estimate when only `total` is known. */
  remainingSeconds?: number;
  /** tokens / seconds, when tokens are logged. */
  tokensPerSecond?: number;
  /** Whether the run has finished (`bar.done()` was called). */
  done: boolean;
}

/** A progress bar: call it with each record, then `await bar.done()`. */
export interface ProgressBar {
  (record: ProgressRecord): void;
  /** Draws the final state and resolves when the output is flushed; rejects if drawing failed. */
  done(): Promise<void>;
  /** The state after the latest record. */
  readonly state: ProgressState;
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * The state after `record`, given the previous state (validation loss carries over between evaluations).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { progressState } from "./progress.ts";
 * const s = progressState(undefined, { step: 50, seconds: 5, tokens: 20000, trainLoss: 4 }, { seconds: 20, total: 100 });
 * assertEquals([s.fraction, s.remainingSeconds, s.tokensPerSecond], [0.5, 15, 4000]);
 * ```
 */
export function progressState(
  previous: ProgressState | undefined,
  record: ProgressRecord,
  options: Pick<ProgressOptions, "seconds" | "total"> = {},
): ProgressState {
  for (const field of ["step", "seconds"] as const) {
    if (!finite(record[field]) || record[field] < 0) {
      throw new Error(`progressBar: record.${field} must be a finite number ≥ 0, got ${record[field]}`);
    }
  }
  const { seconds, total } = options;
  const fractions = [
    finite(total) && total > 0 ? record.step / total : undefined,
    finite(seconds) && seconds > 0 ? record.seconds / seconds : undefined,
  ].filter(finite);
  const fraction = fractions.length > 0 ? Math.min(1, Math.max(...fractions)) : undefined;
  let remainingSeconds: number | undefined;
  if (finite(seconds)) remainingSeconds = Math.max(0, seconds - record.seconds);
  else if (finite(total) && record.step > 0) {
    remainingSeconds = Math.max(0, (record.seconds / record.step) * (total - record.step));
  }
  const tokens = finite(record.tokens) ? record.tokens : previous?.tokens;
  return {
    step: record.step,
    seconds: record.seconds,
    tokens,
    // A logged NaN/Infinity is shown as such (the run has failed); only an absent value keeps the last one.
    trainLoss: typeof record.trainLoss === "number" ? record.trainLoss : previous?.trainLoss,
    valLoss: typeof record.valLoss === "number" ? record.valLoss : previous?.valLoss,
    fraction,
    remainingSeconds,
    tokensPerSecond: finite(tokens) && record.seconds > 0 ? tokens / record.seconds : undefined,
    done: false,
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** The options of {@linkcode ProgressOptions} that the text and HTML labels use. */
export type ProgressLabelOptions = Pick<ProgressOptions, "total" | "seconds" | "label">;

/** The numbers after the bar: steps, time, throughput, losses. */
function details(state: ProgressState, options: ProgressLabelOptions): string {
  const parts = [`step ${state.step}${finite(options.total) ? `/${options.total}` : ""}`];
  const budget = finite(options.seconds) ? ` of ${formatSeconds(options.seconds)}` : "";
  const left = state.remainingSeconds !== undefined && !state.done
    ? `, ${formatSeconds(state.remainingSeconds)} left`
    : "";
  parts.push(`${formatSeconds(state.seconds)}${budget}${left}`);
  if (state.tokensPerSecond !== undefined) {
    parts.push(`${Math.round(state.tokensPerSecond).toLocaleString("en-US")} tok/s`);
  }
  const losses = [
    state.trainLoss !== undefined ? `train ${state.trainLoss.toFixed(3)}` : undefined,
    state.valLoss !== undefined ? `val ${state.valLoss.toFixed(3)}` : undefined,
  ].filter((s) => s !== undefined);
  if (losses.length > 0) parts.push(losses.join(", "));
  if (state.done) parts.push("done");
  return parts.join(" · ");
}

const percent = (fraction: number) => `${String(Math.floor(fraction * 100)).padStart(3)}%`;

/**
 * One line of text describing `state` (the terminal and log form, and the notebook's `text/plain`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatProgress } from "./progress.ts";
 * const line = formatProgress(
 *   { step: 50, seconds: 5, tokens: 20000, trainLoss: 4.25, fraction: 0.5, remainingSeconds: 15, tokensPerSecond: 4000, done: false },
 *   { total: 100, seconds: 20, label: "tiny", barWidth: 4 },
 * );
 * assertEquals(line, "tiny ██░░  50% step 50/100 · 5.0s of 20.0s, 15.0s left · 4,000 tok/s · train 4.250");
 * ```
 */
export function formatProgress(
  state: ProgressState,
  options: ProgressLabelOptions & { barWidth?: number } = {},
): string {
  let bar = "";
  if (state.fraction !== undefined) {
    const width = options.barWidth ?? PROGRESS_DEFAULTS.barWidth;
    const filled = Math.round(state.fraction * width);
    bar = `${"█".repeat(filled)}${"░".repeat(width - filled)} ${percent(state.fraction)} `;
  }
  return `${options.label ? `${options.label} ` : ""}${bar}${details(state, options)}`;
}

/**
 * The notebook form of {@linkcode formatProgress}: an HTML `<progress>` element and the same numbers.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { progressHtml } from "./progress.ts";
 * const html = progressHtml({ step: 3, seconds: 1, fraction: 0.25, done: false }, { total: 12 });
 * assert(html.includes('<progress value="0.2500" max="1"') && html.includes("step 3/12"));
 * ```
 */
export function progressHtml(state: ProgressState, options: ProgressLabelOptions = {}): string {
  const label = options.label ? `<b>${escapeHtml(options.label)}</b> ` : "";
  const bar = state.fraction === undefined
    ? `<progress style="width:16em"></progress>`
    : `<progress value="${state.fraction.toFixed(4)}" max="1" style="width:16em"></progress>${
      percent(state.fraction)
    }`;
  return `<div class="trainlarge-progress" style="font-family:monospace">${label}${bar} ` +
    `${escapeHtml(details(state, options))}</div>`;
}

/** Where `"auto"` draws here: jupyter in the kernel, terminal on a TTY, else log. */
export function resolveMode(mode: ProgressMode): Exclude<ProgressMode, "auto"> {
  checkChoice("progressBar", "mode", mode, ["auto", "jupyter", "terminal", "log", "silent"]);
  if (mode !== "auto") return mode;
  if (inKernel()) return "jupyter";
  try {
    return Deno.stderr.isTerminal() ? "terminal" : "log";
  } catch {
    return "log";
  }
}

let barCounter = 0;

/**
 * A progress bar for a run with a time budget and/or a step limit. Pass it as the training loop's record
 * callback; `await bar.done()` when the loop returns.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { progressBar } from "./progress.ts";
 * const lines: string[] = [];
 * const bar = progressBar({ seconds: 2, mode: "log", write: (t) => lines.push(t) });
 * bar({ step: 1, seconds: 1, tokens: 512, trainLoss: 5.5 });
 * bar({ step: 2, seconds: 2, tokens: 1024, trainLoss: 5.1, valLoss: 5.3 });
 * await bar.done();
 * assert(lines.length === 1 && lines[0].includes("step 2") && lines[0].includes("val 5.300"));
 * ```
 */
export function progressBar(options: ProgressOptions = {}): ProgressBar {
  const w = "progressBar";
  checkKeys(w, options, ["seconds", "total", "label", "mode", "minIntervalMs", "write", "clock"]);
  checkNumber(w, "seconds", options.seconds, { above: 0, infinite: true });
  checkNumber(w, "total", options.total, { min: 1, integer: true });
  checkNumber(w, "minIntervalMs", options.minIntervalMs, { min: 0 });
  const mode = resolveMode(options.mode ?? "auto");
  const now = options.clock ?? (() => performance.now());
  const minInterval = options.minIntervalMs ?? PROGRESS_DEFAULTS.minIntervalMs;
  const write = options.write ?? ((text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
  const displayId = `trainlarge-progress-${Date.now().toString(36)}-${barCounter++}`;
  let state: ProgressState | undefined;
  let lastDraw = -Infinity;
  let shown = false;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  let finished = false;

  const draw = (s: ProgressState) => {
    if (mode === "terminal") write(`\r${formatProgress(s, options)}\x1b[K${s.done ? "\n" : ""}`);
    else if (mode === "log" && s.done) write(formatProgress(s, options) + "\n");
    else if (mode === "jupyter") {
      const bundle = { "text/html": progressHtml(s, options), "text/plain": formatProgress(s, options) };
      const update = shown;
      shown = true;
      chain = chain.then(() => publish(bundle, { displayId, update })).catch((e) => void (failure ??= e));
    }
  };

  const bar = ((record: ProgressRecord) => {
    if (finished) throw new Error("progressBar: a record arrived after done(); create a new bar per run");
    state = progressState(state, record, options);
    const t = now();
    if (t - lastDraw >= minInterval) {
      lastDraw = t;
      draw(state);
    }
  }) as ProgressBar;
  bar.done = async () => {
    if (!finished) {
      finished = true;
      if (state !== undefined) {
        state = { ...state, done: true };
        draw(state);
      }
    }
    await chain;
    if (failure !== undefined) throw new Error(`progressBar: drawing in the notebook failed: ${failure}`);
  };
  Object.defineProperty(bar, "state", {
    get: () => state ?? { step: 0, seconds: 0, done: finished },
  });
  return bar;
}
