/**
 * Test support: run a Jupyter tool (python3, jupyter) as a subprocess with a wall-clock limit, and install
 * the trainlarge kernelspec into a throwaway JUPYTER_DATA_DIR.
 *
 * A killed or crashed Jupyter client can leave its Deno kernel running, still holding the client's stdout;
 * so output is collected while waiting on the process status, and the readers are abandoned once the process
 * itself has exited.
 *
 * @module
 */
import { installKernel } from "../../kernels/install.ts";
import { commandWorks } from "../_support/tools.ts";

/** Debian's interpreter, which has the Jupyter packages (a pyenv `python3` on PATH may not). */
export const PYTHON = "/usr/bin/python3";
/** Debian's `jupyter` entry point. */
export const JUPYTER = "/usr/bin/jupyter";

/** The project root (where deno.json is). */
export const PROJECT_DIR = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");

/** True when `python3 -c "import <module>"` works with Debian's python. */
export const hasPythonModule = (module: string): Promise<boolean> =>
  commandWorks(PYTHON, ["-c", `import ${module}`]);

/** The result of {@linkcode run}. */
export interface RunResult {
  code: number;
  output: string;
}

async function collect(stream: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink.push(decoder.decode(chunk, { stream: true }));
}

/** Runs `cmd args` with extra `env`, stdout and stderr merged in order of arrival, killed after `timeoutMs`. */
export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs: number; cwd?: string },
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    env: { PYDEVD_DISABLE_FILE_VALIDATION: "1", ...options.env },
    cwd: options.cwd ?? PROJECT_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const readers = Promise.all([collect(child.stdout, chunks), collect(child.stderr, chunks)]);
  const timer = setTimeout(() => {
    chunks.push(`\n[killed after ${options.timeoutMs} ms]\n`);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, options.timeoutMs);
  const status = await child.status;
  clearTimeout(timer);
  // Orphaned kernels may keep the pipes open: give the readers a moment, then stop waiting.
  await Promise.race([readers, new Promise((resolve) => setTimeout(resolve, 1000))]);
  return { code: status.code, output: chunks.join("") };
}

/** A throwaway Jupyter data + runtime folder with the trainlarge kernelspec installed for `backend`. */
export async function tempKernel(
  backend = "cpu",
): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const root = await Deno.makeTempDir({ prefix: "trainlarge-jupyter-" });
  await installKernel({ dataDir: `${root}/data`, backend });
  return {
    env: { JUPYTER_DATA_DIR: `${root}/data`, JUPYTER_RUNTIME_DIR: `${root}/runtime` },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}
