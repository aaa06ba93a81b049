/**
 * Shows the library's warnings (`lib/util/warnings.ts`): in a notebook as an output under the running cell,
 * elsewhere as a line on stderr. Library code only emits warnings; this is where they become visible.
 *
 * @module
 */
import { onWarning, type Warning } from "../util/warnings.ts";
import { inKernel, type MimeBundle, publish } from "./kernel.ts";
import { escapeHtml } from "./escape_html.ts";

/** Options of {@linkcode showWarnings}. */
export interface ShowWarningsOptions {
  /** Where a warning goes outside the kernel. Default: a line on stderr. */
  write?: (text: string) => void;
}

/**
 * The notebook form of a warning: plain text, and HTML styled like Jupyter's stderr output.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { warningBundle } from "./warnings.ts";
 * const b = warningBundle({ source: "native backend", message: "the arena is <full>" });
 * assert(b["text/plain"] === "warning (native backend): the arena is <full>");
 * assert(String(b["text/html"]).includes("the arena is &lt;full&gt;"));
 * ```
 */
export function warningBundle(warning: Warning): MimeBundle {
  const text = warningText(warning);
  return {
    "text/plain": text,
    "text/html": `<pre class="trainlarge-warning" style="background:#fdd;padding:2px 6px;margin:0">${
      escapeHtml(text)
    }</pre>`,
  };
}

function warningText(w: Warning): string {
  return `warning (${w.source}): ${w.message}`;
}

/**
 * Shows every library warning from now on — published under the running cell inside the Jupyter kernel,
 * written to stderr elsewhere — including those emitted before any listener was registered. Returns a
 * function that stops showing them. `import … from "trainlarge"` calls it in the kernel.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { warn } from "../util/warnings.ts";
 * import { showWarnings } from "./warnings.ts";
 * const lines: string[] = [];
 * const stop = showWarnings({ write: (t) => lines.push(t) });
 * warn("example", "something to know");
 * stop();
 * assert(lines.includes("warning (example): something to know\n"));
 * ```
 */
export function showWarnings(options: ShowWarningsOptions = {}): () => void {
  if (inKernel()) {
    return onWarning((w) => {
      // A warning cannot fail the computation that raised it: a lost display is only lost.
      publish(warningBundle(w)).catch(() => {});
    });
  }
  const write = options.write ?? ((text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
  return onWarning((w) => write(`${warningText(w)}\n`));
}
