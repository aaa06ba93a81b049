/**
 * Test support: read a page's serialised DOM (after headless Chromium ran its scripts) and say what it drew —
 * the Plotly figures with their traces, and the HTML tables with their rows.
 *
 * @module
 */

/** One Plotly figure found in the DOM: its drawn data traces and how many of them have a non-empty path. */
export interface DrawnPlot {
  /** `<g class="trace …">` groups inside the figure's SVG (legend entries are `class="traces"`). */
  traces: number;
  /** Traces whose group holds at least one path with drawn segments (`d="M…L…"`, a marker or a bar). */
  tracesWithPaths: number;
  /** The figure has a `<svg class="main-svg">`. */
  svg: boolean;
}

/** Splits the DOM at each element Plotly drew into (its div gets the class `js-plotly-plot`). */
export function drawnPlots(dom: string): DrawnPlot[] {
  const parts = dom.split(/<div [^>]*class="[^"]*\bjs-plotly-plot\b[^"]*"[^>]*>/).slice(1);
  return parts.map((part) => {
    const traceParts = part.split(/<g class="trace [^"]*"/).slice(1)
      // the last trace's group runs to the end of the part: cut it at the next non-trace layer
      .map((t, i, all) =>
        i === all.length - 1 ? t.split(/<g class="(?:layer-above|infolayer|legend)"/)[0] : t
      );
    return {
      traces: traceParts.length,
      tracesWithPaths: traceParts.filter((t) => /\sd="M[^"]{4,}"/.test(t)).length,
      svg: part.includes('class="main-svg"'),
    };
  });
}

/** One `<table class="dataframe">`: the shape its header states and the body rows it holds. */
export interface DrawnTable {
  /** Rows the table's `shape: (H, W)` line states (`null` without one). */
  height: number | null;
  /** `<tr>` rows in its `<tbody>`. */
  bodyRows: number;
}

/** The DataFrame tables of the DOM, with their stated shape and their body rows. */
export function drawnTables(dom: string): DrawnTable[] {
  return [
    ...dom.matchAll(
      /(?:shape: \((\d+), \d+\)<\/small>\s*)?<table [^>]*class="dataframe"[^>]*>([\s\S]*?)<\/table>/g,
    ),
  ]
    .map((m) => ({
      height: m[1] === undefined ? null : Number(m[1]),
      bodyRows: [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(m[2])?.[1] ?? "").matchAll(/<tr[\s>]/g)].length,
    }));
}

/** Rows a table of `height` rows shows with `maxRows`: all of them, or `maxRows` plus one "…" row. */
export const shownRows = (height: number, maxRows: number): number => height > maxRows ? maxRows + 1 : height;
