/**
 * Reports to share: one self-contained, offline HTML file per study — interactive figures (plotly.js
 * inlined once) with PNG fallbacks, the runs and records tables, every run's config, seed, data fingerprint,
 * status, durations and environment (library version and commit, backend, machine) — and a `study.json`
 * beside it that `reproduce` re-runs the study from.
 *
 * @module
 */
import type { Figure } from "../display/figure.ts";
import { PLOTLY_CONFIG, scriptJson } from "../display/figure_html.ts";
import { canRenderPng, renderFigurePng } from "../display/figure_png.ts";
import { plotlyJs } from "../display/plotly_js.ts";
import { tableHtml } from "../display/table.ts";
import { encodeBase64 } from "@std/encoding/base64";
import { writeFileAtomic } from "../util/atomic_file.ts";
import { checkKeys } from "../util/options.ts";
import { VERSION } from "../version.ts";
import type { Config } from "./definition.ts";
import { libraryCommit } from "./environment.ts";
import type { StudyResult } from "./runner.ts";
import {
  readConfigFile,
  readRecords,
  readStatus,
  runDir,
  type StatusFile,
  type StoredRecord,
} from "./store.ts";
import { rowsToFrame } from "./tables.ts";
import { flattenConfig } from "./definition.ts";

/** The format tag of `study.json`. */
export const STUDY_FILE_FORMAT = "trainlarge-study/1";

/** One run in `study.json`: enough to run it again and to compare. */
export interface StudyFileRun {
  /** Run hash. */
  hash: string;
  /** Label. */
  label: string;
  /** Kind name. */
  kind: string;
  /** Module defining the kind, when not built in. */
  module?: string;
  /** Full config. */
  config: Config;
  /** Data fingerprint. */
  fingerprint: string;
  /** The final status file (summary, environment, durations). */
  status: StatusFile | null;
  /** Its records. */
  records: StoredRecord[];
}

/** `study.json`: a study's definition, results and environment, self-contained. */
export interface StudyFile {
  /** {@linkcode STUDY_FILE_FORMAT}. */
  format: string;
  /** Study name. */
  name: string;
  /** trainlarge version that wrote it. */
  version: string;
  /** Library commit that wrote it (null outside a git checkout). */
  commit: string | null;
  /** When it was written (ISO time). */
  written: string;
  /** The runs. */
  runs: StudyFileRun[];
  /** The study's figures (Plotly JSON). */
  figures: Figure[];
}

/**
 * Reads a study's store into a `StudyFile` (no backend is started).
 */
export async function readStudyFile(store: string): Promise<StudyFile> {
  let study: { name: string; runs: { hash: string; label: string }[] };
  try {
    study = JSON.parse(await Deno.readTextFile(`${store}/plan.json`));
  } catch (e) {
    throw new Error(
      `${store}/plan.json cannot be read (${
        (e as Error).message
      }); is ${store} a study's store (runs/<name>)?`,
    );
  }
  let figures: Figure[] = [];
  try {
    figures = JSON.parse(await Deno.readTextFile(`${store}/figures.json`));
  } catch { /* a study that never finished has no figures yet */ }
  const runs: StudyFileRun[] = [];
  for (const r of study.runs) {
    const dir = runDir(store, r.hash);
    const cfg = await readConfigFile(dir);
    if (cfg === null) throw new Error(`${dir}/config.json is missing; the store ${store} is incomplete`);
    runs.push({
      hash: r.hash,
      label: cfg.label,
      kind: cfg.kind,
      ...(cfg.module ? { module: cfg.module } : {}),
      config: cfg.config,
      fingerprint: cfg.fingerprint,
      status: await readStatus(dir),
      records: await readRecords(dir),
    });
  }
  return {
    format: STUDY_FILE_FORMAT,
    name: study.name,
    version: VERSION,
    commit: libraryCommit(),
    written: new Date().toISOString(),
    runs,
    figures,
  };
}

const escapeHtml = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Options of {@linkcode report}. */
export interface ReportOptions {
  /** Where to write `report.html` and `study.json`. Default: the study's store. */
  outDir?: string;
  /** Embed a PNG of each figure (needs Chromium; skipped without it). Default true. */
  png?: boolean;
}

function runsTable(file: StudyFile) {
  return rowsToFrame(file.runs.map((r) => {
    const s = r.status;
    const summary = s?.summary ?? {};
    return {
      run: r.hash,
      label: r.label,
      status: s?.status ?? "pending",
      ...Object.fromEntries(
        Object.entries(summary).filter(([k, v]) =>
          k !== "status" && k !== "message" && typeof v !== "object"
        ),
      ),
      wallSeconds: s?.wallSeconds ?? null,
      backend: s?.environment?.backend ?? null,
      host: s?.environment?.host ?? null,
      seed: typeof r.config.seed === "number" ? r.config.seed : null,
      fingerprint: r.fingerprint,
    };
  }));
}

/**
 * The report's HTML for a study file (pure apart from rendering PNGs).
 */
export async function reportHtml(file: StudyFile, options: { png?: boolean } = {}): Promise<string> {
  const plotly = await plotlyJs();
  const wantPng = (options.png ?? true) && canRenderPng();
  const figures: string[] = [];
  for (const [i, fig] of file.figures.entries()) {
    let img = "";
    if (wantPng) {
      try {
        img = `<img class="fallback" alt="figure ${i + 1}" src="data:image/png;base64,${
          encodeBase64(await renderFigurePng(fig))
        }">`;
      } catch { /* PNG fallback is optional */ }
    }
    figures.push(
      `<figure id="fig-${i}"><div class="plot" id="plot-${i}">${img}</div>` +
        `<script type="application/json" id="spec-${i}">${scriptJson(fig)}</script></figure>`,
    );
  }
  const records = rowsToFrame(
    file.runs.flatMap((r) => r.records.map((x) => ({ ...x, run: r.hash, label: r.label }))),
    ["run", "label"],
  );
  const envs = [...new Set(file.runs.map((r) => JSON.stringify(r.status?.environment ?? null)))]
    .map((e) => JSON.parse(e)).filter((e) => e !== null);
  const configs = file.runs.map((r) =>
    `<details><summary><code>${r.hash}</code> ${escapeHtml(r.label)} — ${escapeHtml(r.kind)}, status ${
      escapeHtml(r.status?.status ?? "pending")
    }</summary><pre>${
      escapeHtml(JSON.stringify({ config: r.config, fingerprint: r.fingerprint }, null, 2))
    }</pre>` +
    (r.status?.error ? `<pre class="error">${escapeHtml(r.status.error)}</pre>` : "") + `</details>`
  ).join("\n");
  const flat = file.runs.length > 0 ? Object.keys(flattenConfig(file.runs[0].config)).length : 0;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(file.name)} — trainlarge report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table.dataframe { border-collapse: collapse; font-size: 12px; } td, th { padding: 2px 6px; }
figure { margin: 1em 0; } pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: 12px; }
.error { color: #a00; } .meta td { padding-right: 1em; }
</style>
<script type="text/javascript">${plotly.source.replace(/<\/script/gi, "<\\/script")}</script>
</head><body>
<h1>${escapeHtml(file.name)}</h1>
<table class="meta">
<tr><td>runs</td><td>${file.runs.length} (${
    file.runs.filter((r) => r.status?.summary).length
  } finished)</td></tr>
<tr><td>config fields per run</td><td>${flat}</td></tr>
<tr><td>trainlarge</td><td>${escapeHtml(file.version)}${
    file.commit ? ` (commit <code>${file.commit}</code>)` : ""
  }</td></tr>
<tr><td>written</td><td>${escapeHtml(file.written)}</td></tr>
</table>
<h2>Figures</h2>
${figures.join("\n") || "<p>No figures.</p>"}
<h2>Runs</h2>
${tableHtml(runsTable(file), { maxRows: 1000 })}
<h2>Records</h2>
${tableHtml(records, { maxRows: 400 })}
<h2>Configs</h2>
${configs}
<h2>Environment</h2>
<pre>${escapeHtml(JSON.stringify(envs, null, 2))}</pre>
<p>Re-run this study from the <code>study.json</code> beside this file:
<code>deno run -A mod.ts reproduce study.json</code></p>
<script type="text/javascript">
(function () {
  if (!window.Plotly) return; // the PNG fallbacks stay
  document.querySelectorAll("script[id^=spec-]").forEach(function (el) {
    var i = el.id.slice(5), fig = JSON.parse(el.textContent), div = document.getElementById("plot-" + i);
    div.innerHTML = "";
    window.Plotly.newPlot(div, fig.data, fig.layout, ${scriptJson(PLOTLY_CONFIG)});
  });
})();
</script>
</body></html>
`;
}

/**
 * Writes `report.html` and `study.json` for a study (a `StudyResult` or its store directory) and returns
 * their paths.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { linregKind, report, runStudy } from "trainlarge";
 * const store = await Deno.makeTempDir();
 * const study = await runStudy({ name: "r", kind: linregKind, base: { maxSteps: 20 } }, { store, progress: "silent" });
 * const { html, json } = await report(study, { png: false });
 * assert((await Deno.readTextFile(html)).includes("<h1>r</h1>") && json.endsWith("study.json"));
 * await Deno.remove(store, { recursive: true });
 * ```
 */
export async function report(
  study: StudyResult | string,
  options: ReportOptions = {},
): Promise<{ html: string; json: string }> {
  checkKeys("report", options, ["outDir", "png"]);
  const store = typeof study === "string" ? study.replace(/\/+$/, "") : study.dir;
  const file = await readStudyFile(store);
  if (typeof study !== "string") file.figures = study.figures;
  const out = options.outDir ?? store;
  await Deno.mkdir(out, { recursive: true }).catch((e) => {
    throw new Error(`report: cannot create ${out}: ${(e as Error).message}`);
  });
  const html = `${out}/report.html`, json = `${out}/study.json`;
  await writeFileAtomic(html, await reportHtml(file, { png: options.png }));
  await writeFileAtomic(json, JSON.stringify(file, null, 1) + "\n");
  return { html, json };
}
