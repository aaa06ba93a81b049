/**
 * The notebook's stop button, as library code sees it: work that can stop cleanly (a training loop, a study)
 * opens an `interruptScope()` and watches its `signal`; an interrupt aborts every open scope. Training stops
 * at the next step, saves its checkpoint and throws an `InterruptedError`, so the cell ends with a clear
 * error (and "Run all" stops there) while the kernel keeps its variables; running the cell again resumes.
 *
 * Where interrupts come from: `interrupt()` (tests, any caller), and inside the trainlarge Jupyter kernel,
 * SIGINT. The kernelspec starts `kernels/launcher.ts`, which starts Deno's kernel with SIGINT ignored and
 * names a flag file in `TRAINLARGE_INTERRUPT_FLAG`. There, once this module is loaded, a SIGINT listener
 * aborts the open scopes and answers by writing `<flag>.ack`; while a scope is open the flag file exists.
 * On the stop button the launcher forwards SIGINT here; when there is no open scope and no answer comes
 * (JavaScript is busy: `while (true) {}`) it sends Deno's own interrupt message, which ends synchronous
 * code. Outside that kernel nothing listens to SIGINT, so Ctrl-C still ends a script.
 *
 * State lives on `globalThis` so two copies of this module (two import paths) share one set of scopes.
 *
 * @module
 */

/** Thrown by work that an interrupt stopped, after it saved what it needs to resume. */
export class InterruptedError extends Error {
  /** Updates applied when it stopped (null when not a training run). */
  readonly step: number | null;
  /** The checkpoint directory it saved to, or null when it saved none. */
  readonly checkpoint: string | null;

  /**
   * An error whose message says what stopped, where it saved and how to resume.
   *
   * @example
   * ```ts
   * import { assert } from "@std/assert";
   * import { InterruptedError } from "./interrupt.ts";
   * const e = new InterruptedError("interrupted at step 3", { step: 3, checkpoint: "/tmp/run" });
   * assert(e.name === "InterruptedError" && e.step === 3 && e.checkpoint === "/tmp/run");
   * ```
   */
  constructor(message: string, options: { step?: number; checkpoint?: string | null } = {}) {
    super(message);
    this.name = "InterruptedError";
    this.step = options.step ?? null;
    this.checkpoint = options.checkpoint ?? null;
  }
}

/**
 * A piece of work that an interrupt may stop. Close it when the work ends (or use `using`): while any scope
 * is open the kernel treats the stop button as a request to stop that work, not to terminate JavaScript, so
 * a scope left open (a training generator stepped by hand and abandoned) keeps `while (true) {}` from being
 * stopped until it is closed.
 */
export interface InterruptScope {
  /** Aborts when an interrupt arrives while this scope is open. */
  readonly signal: AbortSignal;
  /**
   * Lets a pending SIGINT be delivered: inside the kernel it yields to the event loop (a zero timeout) at
   * most every 100 ms; elsewhere it returns at once. Call it once per step of a loop whose awaits may
   * all resolve without a macrotask turn (tfjs' CPU backend does).
   */
  poll(): Promise<void>;
  /** Stops watching; idempotent. */
  close(): void;
  /** `close()`, for `using scope = interruptScope()`. */
  [Symbol.dispose](): void;
}

/** The environment variable holding the flag file's path (set by `kernels/launcher.ts`). */
export const INTERRUPT_FLAG_ENV = "TRAINLARGE_INTERRUPT_FLAG";

interface State {
  scopes: Set<AbortController>;
  /** The flag file's path when running under the launcher, else null; undefined until first looked up. */
  flag?: string | null;
  listening: boolean;
}

const KEY = Symbol.for("trainlarge.interrupt");
const state: State = ((globalThis as Record<symbol, unknown>)[KEY] ??= {
  scopes: new Set(),
  listening: false,
}) as State;

const POLL_MS = 100;

function flagPath(): string | null {
  if (state.flag === undefined) {
    const allowed = Deno.permissions.querySync({ name: "env", variable: INTERRUPT_FLAG_ENV }).state;
    state.flag = allowed === "granted" ? Deno.env.get(INTERRUPT_FLAG_ENV) || null : null;
  }
  return state.flag;
}

/** Inside the launcher's kernel: SIGINT interrupts, and the answer tells the launcher JavaScript runs. */
function listen(path: string): void {
  if (state.listening) return;
  // Registered once and kept: the kernel started with SIGINT ignored, so a listener costs nothing idle.
  Deno.addSignalListener("SIGINT", () => {
    interrupt();
    try {
      Deno.writeTextFileSync(`${path}.ack`, `${Deno.pid}\n`);
    } catch { /* the launcher then sends Deno's interrupt message, as without this module */ }
  });
  state.listening = true;
}

/** Marks (or unmarks) the kernel as running stoppable work, for the launcher. */
function setFlag(on: boolean): void {
  const path = flagPath();
  if (path === null) return;
  listen(path);
  try {
    if (on) Deno.writeTextFileSync(path, `${Deno.pid}\n`);
    else Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

{
  const path = flagPath();
  if (path !== null) listen(path);
}

/**
 * Opens a scope: its `signal` aborts on the next interrupt. Close it when the work ends.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { interrupt, interruptScope } from "./interrupt.ts";
 * const scope = interruptScope();
 * let step = 0;
 * while (!scope.signal.aborted) {
 *   if (++step === 3) interrupt(); // what the stop button does
 *   await scope.poll();
 * }
 * scope.close();
 * assert(step === 3 && !interruptScope().signal.aborted); // a new scope starts fresh
 * ```
 */
export function interruptScope(): InterruptScope {
  const controller = new AbortController();
  if (state.scopes.size === 0) setFlag(true);
  state.scopes.add(controller);
  let last = performance.now();
  const close = () => {
    if (state.scopes.delete(controller) && state.scopes.size === 0) setFlag(false);
  };
  return {
    signal: controller.signal,
    async poll() {
      if (!state.listening || performance.now() - last < POLL_MS) return;
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    },
    close,
    [Symbol.dispose]: close,
  };
}

/**
 * Interrupts: aborts every open scope (what the stop button does in the kernel). Returns how many were open.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { interrupt, interruptScope } from "./interrupt.ts";
 * using scope = interruptScope();
 * assert(interrupt() >= 1 && scope.signal.aborted);
 * ```
 */
export function interrupt(): number {
  const open = [...state.scopes];
  for (const c of open) c.abort(new InterruptedError("interrupted"));
  return open.length;
}
