import { assert, assertEquals } from "@std/assert";
import { encodeBase64 } from "@std/encoding/base64";
import { renderFigurePng, writeFigurePng } from "../../lib/display/figure_png.ts";
import type { Figure } from "../../lib/display/figure.ts";
import { needChromium, renderPage, report } from "./_browser.ts";

const line: Figure = {
  data: [{ type: "scatter", mode: "lines", x: [0, 1, 2, 3], y: [3, 1, 2, 0], line: { width: 3 } }],
  layout: { width: 400, height: 250 },
};

function pngSize(png: Uint8Array): [number, number] {
  // IHDR: 8-byte signature, 4-byte length, "IHDR", then big-endian width and height.
  assertEquals([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assertEquals(new TextDecoder().decode(png.slice(12, 16)), "IHDR");
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

/** Pixels of plotly's first trace colour (#1f77b4) in `png`, counted by a browser canvas. */
async function bluePixels(png: Uint8Array): Promise<number> {
  const dom = await renderPage(`<canvas id="c"></canvas><script>
    var n = -1, img = new Image();
    img.onload = function () {
      var c = document.getElementById("c"); c.width = img.width; c.height = img.height;
      var g = c.getContext("2d"); g.drawImage(img, 0, 0);
      var d = g.getImageData(0, 0, img.width, img.height).data; n = 0;
      for (var i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - 31) < 24 && Math.abs(d[i + 1] - 119) < 24 && Math.abs(d[i + 2] - 180) < 24) n++;
      }
    };
    img.src = "data:image/png;base64,${encodeBase64(png)}";
    window.__report = function () { return n; };
  </script>`);
  return report(dom) as number;
}

Deno.test("renderFigurePng() draws the figure at its layout size and scale", async () => {
  if (!needChromium()) return;
  const png = await renderFigurePng(line);
  assertEquals(pngSize(png), [400, 250]);
  // A 3 px line crossing ~330 px of plot area: well over 500 trace-coloured pixels; an empty plot has none.
  const drawn = await bluePixels(png);
  assert(drawn > 500, `only ${drawn} trace-coloured pixels`);
  assertEquals(await bluePixels(await renderFigurePng({ data: [], layout: line.layout })), 0);
  assertEquals(pngSize(await renderFigurePng(line, { scale: 2 })), [800, 500]);
});

Deno.test("writeFigurePng() writes the PNG file", async () => {
  if (!needChromium()) return;
  const path = await Deno.makeTempFile({ suffix: ".png" });
  try {
    await writeFigurePng(line, path);
    assertEquals(pngSize(await Deno.readFile(path)), [400, 250]);
  } finally {
    await Deno.remove(path);
  }
});
