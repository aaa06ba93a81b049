/**
 * Seeded, serialisable random numbers for every shuffle, split, mask and initialisation.
 *
 * Wraps seedrandom's `xor4096` generator (period 2^4096, good statistical quality) because its state can be
 * saved into a checkpoint and restored, which resuming a run mid-epoch needs.
 *
 * @module
 */
// @deno-types="npm:@types/seedrandom@2.4.34"
import seedrandom from "seedrandom";

/** Opaque generator state, JSON-safe: store it in a checkpoint and pass it to `restoreRng`. */
export type RngState = { readonly kind: "xor4096"; readonly state: unknown };

/** A seeded random-number generator. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** The current state, for `restoreRng`. */
  state(): RngState;
}

type Prng = { (): number; state(): unknown };

function wrap(prng: Prng): Rng {
  const rng: Rng = {
    next: () => prng(),
    int: (n) => Math.floor(prng() * n),
    normal: () => {
      const u = 1 - prng(); // (0, 1]: log(0) is -Infinity
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * prng());
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(prng() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    state: () => ({ kind: "xor4096", state: prng.state() }),
  };
  return rng;
}

/**
 * A generator seeded by `seed`: the same seed gives the same sequence on every machine.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createRng } from "./random.ts";
 * const a = createRng(42), b = createRng(42);
 * assert(a.next() === b.next());
 * ```
 */
export function createRng(seed: number | string): Rng {
  const make = seedrandom.xor4096 as unknown as (seed: string, opts: { state: true }) => Prng;
  return wrap(make(String(seed), { state: true }));
}

/**
 * A generator that continues exactly where the one that produced `state` was.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createRng, restoreRng } from "./random.ts";
 * const a = createRng(7);
 * a.next();
 * const b = restoreRng(a.state());
 * assert(a.next() === b.next());
 * ```
 */
export function restoreRng(state: RngState): Rng {
  if (state?.kind !== "xor4096") {
    throw new Error(
      `restoreRng: unsupported RNG state kind ${JSON.stringify(state?.kind)}; expected "xor4096"`,
    );
  }
  const make = seedrandom.xor4096 as unknown as (seed: string, opts: { state: unknown }) => Prng;
  return wrap(make("", { state: state.state }));
}
