/**
 * Live progress of a whole study: one display updated in place — runs done / total, the current run's bar
 * (tokens/s, budget left, last losses) and the study's ETA. In a notebook it is one HTML output replaced on
 * every redraw; on a terminal one line redrawn with `\r`; in a log file a plain line per finished run.
 *
 * ETA: the training seconds still budgeted (the current run's remainder plus every pending run's budget),
 * times the wall-clock seconds per budgeted second measured on this study's finished runs (evaluation and
 * start-up included; 1.15 until a run has finished).
 *
 * @module
 */
import { publish } from "./kernel.ts";
import {
  formatProgress,
  progressHtml,
  type ProgressMode,
  type ProgressRecord,
  type ProgressState,
  progressState,
  resolveMode,
} from "./progress.ts";
import { escapeHtml } from "./escape_html.ts";

/** Options of {@linkcode studyProgress}. */
export interface StudyProgressOptions {
  /** The study's name. */
  name: string;
  /** Runs in the study (finished ones included). */
  total: number;
  /** Runs already finished (cached) when it starts. */
  done?: number;
  /** Where to draw. Default `"auto"`. */
  mode?: ProgressMode;
  /** Receives terminal/log text instead of stderr. */
  write?: (text: string) => void;
  /** Millisecond clock. Default `performance.now`. */
  clock?: () => number;
  /** Least milliseconds between redraws. Default 250. */
  minIntervalMs?: number;
}

/** A study's progress display; every method is cheap and never throws for drawing failures until `done`. */
export interface StudyProgress {
  /** A run starts: its label, and its training budget in seconds and/or steps when known. */
  runStarted(label: string, budget: { seconds?: number; steps?: number }): void;
  /** A record of the current run. */
  record(record: ProgressRecord): void;
  /** The current run ended with `status`. */
  runFinished(label: string, status: string): void;
  /** Budgets of the runs still pending after the current one (for the ETA), in seconds. */
  setPendingSeconds(seconds: number): void;
  /** Final redraw; waits for the notebook display. */
  done(): Promise<void>;
  /** The text line currently shown (tests). */
  readonly text: string;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

let counter = 0;

/**
 * A live display for a study's runs.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { studyProgress } from "./study_progress.ts";
 * const lines: string[] = [];
 * const p = studyProgress({ name: "sizes", total: 2, mode: "log", write: (t) => lines.push(t) });
 * p.setPendingSeconds(10);
 * p.runStarted("2×128", { seconds: 10 });
 * p.record({ step: 10, seconds: 5, tokens: 1000, trainLoss: 6 });
 * assert(p.text.includes("0/2 runs") && p.text.includes("2×128"));
 * p.runFinished("2×128", "budget");
 * await p.done();
 * assert(lines.some((l) => l.includes("2×128: budget")));
 * ```
 */
export function studyProgress(options: StudyProgressOptions): StudyProgress {
  const mode = resolveMode(options.mode ?? "auto");
  const clock = options.clock ?? (() => performance.now());
  const write = options.write ?? ((text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
  const minInterval = options.minIntervalMs ?? 250;
  const displayId = `trainlarge-study-${Date.now().toString(36)}-${counter++}`;
  const start = clock();
  let finished = options.done ?? 0;
  let current: { label: string; budget: { seconds?: number; steps?: number }; state?: ProgressState } | null =
    null;
  let pendingSeconds = 0;
  let budgetDone = 0, wallForBudget = 0, runStart = start;
  let lastDraw = -Infinity, shown = false, chain: Promise<void> = Promise.resolve(), failure: unknown;
  const history: string[] = [];

  const eta = () => {
    const rate = budgetDone > 0 ? wallForBudget / budgetDone : 1.15;
    const left = (current?.budget.seconds ?? 0) - (current?.state?.seconds ?? 0);
    return Math.max(0, left + pendingSeconds) * rate;
  };
  const header = () =>
    `${options.name}: ${finished}/${options.total} runs · ${duration((clock() - start) / 1000)} elapsed` +
    (finished < options.total ? ` · ETA ${duration(eta())}` : "");
  const currentText = () =>
    current?.state
      ? formatProgress(current.state, {
        label: current.label,
        total: current.budget.steps,
        seconds: current.budget.seconds,
      })
      : current
      ? `${current.label} starting`
      : "";
  const line = () => [header(), currentText()].filter(Boolean).join(" | ");

  const draw = (force = false) => {
    const t = clock();
    if (!force && t - lastDraw < minInterval) return;
    lastDraw = t;
    if (mode === "terminal") write(`\r${line()}\x1b[K`);
    else if (mode === "jupyter") {
      const html =
        `<div class="trainlarge-study" style="font-family:monospace"><b>${escapeHtml(header())}</b>` +
        (current?.state
          ? progressHtml(current.state, {
            label: current.label,
            total: current.budget.steps,
            seconds: current.budget.seconds,
          })
          : current
          ? `<div>${escapeHtml(current.label)} starting</div>`
          : "") +
        history.slice(-5).map((h) => `<div style="color:#666">${escapeHtml(h)}</div>`).join("") + `</div>`;
      const bundle = { "text/html": html, "text/plain": line() };
      const update = shown;
      shown = true;
      chain = chain.then(() => publish(bundle, { displayId, update })).catch((e) => void (failure ??= e));
    }
  };

  return {
    runStarted(label, budget) {
      current = { label, budget };
      runStart = clock();
      draw(true);
    },
    record(record) {
      if (!current) return;
      current.state = progressState(current.state, record, {
        seconds: current.budget.seconds,
        total: current.budget.steps,
      });
      draw();
    },
    runFinished(label, status) {
      finished++;
      if (current?.budget.seconds) {
        budgetDone += current.budget.seconds;
        wallForBudget += (clock() - runStart) / 1000;
      }
      const msg = `${label}: ${status}` +
        (current?.state ? ` at step ${current.state.step}, ${current.state.seconds.toFixed(1)}s` : "");
      history.push(msg);
      if (mode === "log") write(`[${options.name} ${finished}/${options.total}] ${msg}\n`);
      else if (mode === "terminal") write(`\r${options.name} ${finished}/${options.total} ${msg}\x1b[K\n`);
      current = null;
      draw(true);
    },
    setPendingSeconds(seconds) {
      pendingSeconds = seconds;
    },
    async done() {
      current = null;
      if (mode === "terminal") write(`\r${header()}\x1b[K\n`);
      else if (mode === "log") write(`${header()}\n`);
      else draw(true);
      await chain;
      if (failure !== undefined) throw new Error(`studyProgress: drawing in the notebook failed: ${failure}`);
    },
    get text() {
      return line();
    },
  };
}
