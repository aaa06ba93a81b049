import pl from "nodejs-polars";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { dtypeName, tableBundle, tableHtml } from "../../lib/display/table.ts";

Deno.test("tableHtml() shows shape, names with dtypes, escaped cells and nulls", () => {
  const df = pl.DataFrame({ name: ["<b>&", null], loss: [1.23456789, 2] });
  const html = tableHtml(df, { caption: "runs" });
  assertEquals(
    html,
    `<div class="trainlarge-table"><small>shape: (2, 2)</small><table border="1" class="dataframe">` +
      `<caption>runs</caption><thead><tr><th>name<br><small>str</small></th><th>loss<br><small>f64</small></th>` +
      `</tr></thead>\n<tbody>\n<tr><td>&lt;b&gt;&amp;</td><td style="text-align:right">1.23457</td></tr>\n` +
      `<tr><td class="null">null</td><td style="text-align:right">2</td></tr>\n</tbody></table></div>`,
  );
});

Deno.test("tableHtml() elides the middle of long frames, keeping first and last rows", () => {
  const df = pl.DataFrame({ step: Array.from({ length: 100 }, (_, i) => i) });
  const html = tableHtml(df, { maxRows: 4 });
  const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  assertEquals(cells, ["0", "1", "…", "98", "99"]);
  assert(html.includes("shape: (100, 1)"));
  assertThrows(() => tableHtml(df, { maxRows: 1 }), Error, "maxRows must be an integer ≥ 2, got 1");
});

Deno.test("tableBundle() pairs the HTML table with polars' own text table", () => {
  const df = pl.DataFrame({ a: [1] }).withColumns(
    pl.col("a").cast(pl.Int32).alias("b"),
    pl.lit(true).alias("ok"),
  );
  const bundle = tableBundle(df);
  assertEquals(bundle["text/plain"], df.toString());
  assertEquals(df.dtypes.map(dtypeName), ["f64", "i32", "bool"]);
  assert(String(bundle["text/html"]).includes("<th>b<br><small>i32</small></th>"));
});
