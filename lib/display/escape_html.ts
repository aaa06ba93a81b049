/**
 * Text into HTML: the one escape every HTML output of the display layer (tables, progress, warnings) uses.
 *
 * @module
 */

/**
 * `text` with `&`, `<`, `>` and `"` replaced by entities, safe inside element content and quoted attributes.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { escapeHtml } from "./escape_html.ts";
 * assert(escapeHtml(`a < b & "c" > d`) === "a &lt; b &amp; &quot;c&quot; &gt; d");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
