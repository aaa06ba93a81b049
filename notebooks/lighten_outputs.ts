/**
 * Makes executed walkthroughs light enough to commit: every figure output keeps its Plotly JSON, its PNG and
 * its text, and loses the `text/html` that inlines plotly.js (~4.9 MB per figure). GitHub and nbviewer show
 * the PNG; JupyterLab and VS Code draw the Plotly JSON. Tables, progress bars and text are left as they are.
 *
 * Usage: `deno run -A notebooks/lighten_outputs.ts notebooks/01_pretraining_size.ipynb …` (rewrites in place).
 *
 * @module
 */

/** One notebook output (only the fields this script reads). */
export type Output = { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> };

/** The MIME type of a figure's Plotly JSON. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Returns the notebook with the plotly.js HTML dropped from figure outputs, and how many were dropped. */
export function lighten(notebook: { cells: { outputs?: Output[] }[] }): number {
  let dropped = 0;
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      if (output.data?.[PLOTLY_MIME] !== undefined && output.data["text/html"] !== undefined) {
        delete output.data["text/html"];
        dropped++;
      }
    }
  }
  return dropped;
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    console.error("usage: deno run -A notebooks/lighten_outputs.ts NOTEBOOK.ipynb …");
    Deno.exit(2);
  }
  for (const path of Deno.args) {
    const notebook = JSON.parse(await Deno.readTextFile(path));
    const dropped = lighten(notebook);
    await Deno.writeTextFile(path, JSON.stringify(notebook, null, 1) + "\n");
    console.log(`${path}: dropped the inlined plotly.js of ${dropped} figure(s)`);
  }
}
