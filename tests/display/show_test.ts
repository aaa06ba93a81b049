import pl from "nodejs-polars";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { decodeBase64 } from "@std/encoding/base64";
import { figureBundle, show } from "../../lib/display/show.ts";
import { lineFigure } from "../../lib/display/figure.ts";
import { needChromium } from "./_browser.ts";
import { OptionError } from "../../lib/util/options.ts";

const ROOT = new URL("../..", import.meta.url);

const df = pl.DataFrame({ seconds: [1, 2, 3], trainLoss: [6, 5, 4] });
const fig = lineFigure(df, { x: "seconds", y: "trainLoss", title: "loss", width: 300, height: 200 });

Deno.test("figureBundle() holds the plotly JSON, offline HTML, a PNG and text", async () => {
  if (!needChromium()) return;
  const { bundle, metadata } = await figureBundle(fig);
  assertEquals(Object.keys(bundle).sort(), [
    "application/vnd.plotly.v1+json",
    "image/png",
    "text/html",
    "text/plain",
  ]);
  assertEquals(bundle["application/vnd.plotly.v1+json"], {
    data: fig.data,
    layout: fig.layout,
    config: { displaylogo: false },
  });
  assertEquals([...decodeBase64(bundle["image/png"] as string).slice(1, 4)], [0x50, 0x4e, 0x47]);
  assertEquals(metadata["image/png"], { width: 300, height: 200 });
  assertEquals(bundle["text/plain"], `Figure "loss": 1 trace(s) (trainLoss)`);
  assert(String(bundle["text/html"]).includes("window.Plotly.newPlot"));
});

Deno.test("figureBundle() keeps the interactive figure and says why when Chromium fails", async () => {
  Deno.env.set("TRAINLARGE_CHROMIUM", "/bin/false");
  try {
    const { bundle, metadata } = await figureBundle(fig);
    assertEquals("image/png" in bundle, false);
    assert("application/vnd.plotly.v1+json" in bundle && "text/html" in bundle);
    assert(String((metadata.trainlarge as { pngError: string }).pngError).includes("exited with code 1"));
  } finally {
    Deno.env.delete("TRAINLARGE_CHROMIUM");
  }
});

Deno.test("show() outside the kernel writes an HTML file and says where", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const figure = await show(fig, { outDir, png: false });
    const table = await show(df, { outDir });
    if (figure?.where !== "file" || table?.where !== "file") {
      throw new Error(`not written: ${[figure, table]}`);
    }
    assert(figure.path.startsWith(`${outDir}/figure-`) && figure.path.endsWith(".html"));
    assert((await Deno.readTextFile(figure.path)).includes("window.Plotly.newPlot"));
    assert((await Deno.readTextFile(table.path)).includes("<th>trainLoss<br><small>f64</small></th>"));
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("show() under plain deno run prints the path on stderr and exits cleanly", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const script = `import pl from "nodejs-polars"; import { show } from "./lib/display/mod.ts";
      await show(pl.DataFrame({ a: [1, 2] }));`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      env: { TRAINLARGE_SHOW_DIR: outDir },
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, stderr);
    const path = /show: wrote (\S+\.html)/.exec(stderr)?.[1];
    assert(path !== undefined && path.startsWith(outDir), stderr);
    await Deno.stat(path!);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("show() without write permission falls back to text instead of crashing", async () => {
  const script = `import pl from "nodejs-polars"; import { show } from "./lib/display/mod.ts";
    const r = await show(pl.DataFrame({ a: [1, 2] })); console.log("RESULT " + r?.where);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-ffi", "--allow-sys", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const result = await out.output();
  const stdout = new TextDecoder().decode(result.stdout);
  assert(result.success, new TextDecoder().decode(result.stderr));
  assert(stdout.includes("shape: (2, 1)") && stdout.includes("RESULT text"), stdout);
});

Deno.test("show() rejects what it cannot show, naming the factories", async () => {
  await assertRejects(
    () => show(42 as never),
    Error,
    "expected a Figure ({data, layout}) or a polars DataFrame, got number",
  );
});

Deno.test("show(): an unwritable outDir is an error naming it; unknown options are refused", async () => {
  const file = await Deno.makeTempFile();
  try {
    // A file where a folder should be: creating `${file}/x` fails whatever the user's permissions.
    const err = await assertRejects(() => show(df, { outDir: `${file}/x` }));
    assert((err as Error).message.includes(`${file}/x`), (err as Error).message);
    await assertRejects(() => show(df, { outdir: "/tmp" } as never), OptionError, "did you mean `outDir`");
  } finally {
    await Deno.remove(file);
  }
});
