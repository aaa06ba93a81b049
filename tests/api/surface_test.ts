/**
 * The public surface against its documentation: every entry point in deno.json's `"exports"` exports exactly
 * the names `docs/api.md` lists under its heading (adding or removing a name is a deliberate edit of the
 * docs), a name exported from two entry points is one declaration (one name per concept), and the import
 * map resolves `trainlarge/<entry>` to the same file as the package export.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const root = fromFileUrl(new URL("../../", import.meta.url));

interface DenoJson {
  exports: Record<string, string>;
  imports: Record<string, string>;
}

interface DocLocation {
  filename: string;
  line: number;
  col: number;
}

interface DocSymbol {
  name: string;
  declarations: {
    kind: string;
    location: DocLocation;
    jsDoc?: { doc?: string };
    def?: { target?: DocLocation };
  }[];
}

const config: DenoJson = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
/** "." → "trainlarge", "./model" → "trainlarge/model". */
const specifier = (key: string) => key === "." ? "trainlarge" : `trainlarge/${key.slice(2)}`;

/** The names each entry point exports, with where each is declared, from `deno doc --json`. */
async function exportedNames(): Promise<Map<string, Map<string, DocSymbol>>> {
  const out = new Map<string, Map<string, DocSymbol>>();
  for (const [key, file] of Object.entries(config.exports)) {
    // One file per call: deno doc shows a symbol already documented by an earlier file as a bare reference.
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["doc", "--json", file],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`deno doc --json ${file} failed: ${new TextDecoder().decode(stderr)}`);
    const json = JSON.parse(new TextDecoder().decode(stdout));
    const url = new URL(file, `file://${root}`).href;
    const symbols: DocSymbol[] = json.nodes[url].symbols;
    out.set(specifier(key), new Map(symbols.map((s) => [s.name, s])));
  }
  return out;
}

/** The names `docs/api.md` lists under each "## `trainlarge…`" heading. */
async function documentedNames(): Promise<Map<string, Set<string>>> {
  const text = await Deno.readTextFile(join(root, "docs/api.md"));
  const out = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of text.split("\n")) {
    const heading = line.match(/^## `(trainlarge(?:\/[\w-]+)?)`\s*$/);
    if (heading) {
      current = new Set();
      out.set(heading[1], current);
      continue;
    }
    const row = line.match(/^\| `([\w$]+)` +\|/);
    if (row && current) current.add(row[1]);
  }
  return out;
}

function declaredAt(s: DocSymbol): string {
  const d = s.declarations[0];
  const at = d.kind === "reference" && d.def?.target ? d.def.target : d.location;
  return `${at.filename.replace(`file://${root}`, "")}:${at.line}:${at.col}`;
}

function row(s: DocSymbol): string {
  const d = s.declarations[0];
  const kind =
    ({ typeAlias: "type", interface: "type", variable: "const" } as Record<string, string>)[d.kind] ??
      d.kind;
  const doc = (d.jsDoc?.doc ?? "").replace(/\s+/g, " ").trim();
  const what = doc.match(/^(.+?\.)(\s|$)/)?.[1] ?? doc;
  return `| \`${s.name}\` | ${kind} | ${what.replaceAll("|", "\\|")} |`;
}

const exported = await exportedNames();
const documented = await documentedNames();

Deno.test("docs/api.md has one section per entry point in deno.json, and no other", () => {
  assertEquals([...documented.keys()].sort(), [...exported.keys()].sort());
});

for (const [entry, names] of exported) {
  Deno.test(`${entry} exports exactly the names docs/api.md lists for it`, () => {
    const listed = documented.get(entry) ?? new Set<string>();
    const extra = [...names.keys()].filter((n) => !listed.has(n)).sort();
    const gone = [...listed].filter((n) => !names.has(n)).sort();
    const hint = extra.length
      ? `\n${entry} exports names docs/api.md does not list. If each is meant to be public (and no listed name ` +
        `already means the same thing), add its row under "## \`${entry}\`":\n` +
        extra.map((n) => row(names.get(n)!)).join("\n") + "\n"
      : "";
    assertEquals({ notListed: extra, listedButNotExported: gone }, {
      notListed: [],
      listedButNotExported: [],
    }, hint);
  });
}

Deno.test("a name exported by two entry points is one declaration", () => {
  const seen = new Map<string, { entry: string; at: string }>();
  const clashes: string[] = [];
  for (const [entry, names] of exported) {
    for (const [name, symbol] of names) {
      const at = declaredAt(symbol);
      const first = seen.get(name);
      if (first && first.at !== at) clashes.push(`${name}: ${first.entry} (${first.at}) vs ${entry} (${at})`);
      if (!first) seen.set(name, { entry, at });
    }
  }
  assertEquals(clashes, []);
});

Deno.test("the import map resolves every trainlarge/<entry> to the package export's file", () => {
  for (const [key, file] of Object.entries(config.exports)) {
    assertEquals(config.imports[specifier(key)], file, `deno.json imports["${specifier(key)}"]`);
  }
});
