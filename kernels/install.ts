/**
 * Installs and removes the trainlarge Jupyter kernelspec: Deno's built-in kernel (`deno jupyter --kernel`)
 * started in this project's folder, so `import … from "trainlarge"` and the npm packages resolve through
 * the project's deno.json whatever folder the notebook lives in.
 *
 * ```sh
 * deno task kernel:install [--backend wasm] [--name trainlarge] [--display-name "…"] [--data-dir DIR]
 * deno task kernel:uninstall [--name trainlarge] [--data-dir DIR]
 * ```
 *
 * The spec goes to `$JUPYTER_DATA_DIR/kernels/<name>/` (default `~/.local/share/jupyter`, or
 * `~/Library/Jupyter` on macOS). `deno jupyter --install` is not used: it ignores `JUPYTER_DATA_DIR` and
 * cannot set the working directory, the environment or the interrupt mode.
 *
 * Why the argv goes through `/bin/sh -c 'cd …'`: a kernelspec has no working-directory field and Jupyter
 * starts kernels in the notebook's folder; Deno looks for deno.json from its working directory up. `exec`
 * makes the launcher the process Jupyter watches and signals; it runs the kernel as its child.
 *
 * Why the kernel runs under `kernels/launcher.ts` with `interrupt_mode: "signal"`: front ends then send
 * SIGINT for the stop button, which the launcher turns into what the kernel can act on (a clean stop of
 * training, after its checkpoint, or Deno's own interrupt message for synchronous code); with no launcher,
 * SIGINT would kill Deno's kernel, and the interrupt message alone cannot stop an awaiting cell.
 *
 * @module
 */
import { parseArgs } from "@std/cli";

/** Settings of the installed kernel. */
export interface KernelOptions {
  /** Kernelspec name (the folder name, what notebooks' metadata refers to). Default `"trainlarge"`. */
  name?: string;
  /** Name shown in front ends' kernel pickers. */
  displayName?: string;
  /** `TRAINLARGE_BACKEND` inside the kernel. Default: this shell's `TRAINLARGE_BACKEND`, else `"auto"`. */
  backend?: string;
  /** Jupyter data folder. Default `$JUPYTER_DATA_DIR`, else the platform's user data folder. */
  dataDir?: string;
  /** The project folder the kernel starts in. Default: the folder holding this script's `kernels/`. */
  projectDir?: string;
  /** The deno executable. Default: the one running this script. */
  deno?: string;
}

/** Defaults of {@linkcode KernelOptions}. */
export const KERNEL_DEFAULTS: Readonly<{ name: string; displayName: string }> = Object.freeze({
  name: "trainlarge",
  displayName: "Deno (trainlarge)",
});

const TEMPLATE = new URL("./trainlarge/kernel.json", import.meta.url);

/**
 * The Jupyter data folder: `$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter` (`~/Library/Jupyter` on macOS).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { jupyterDataDir } from "./install.ts";
 * assert(jupyterDataDir().length > 0);
 * ```
 */
export function jupyterDataDir(): string {
  const fromEnv = Deno.env.get("JUPYTER_DATA_DIR");
  if (fromEnv) return fromEnv;
  const home = Deno.env.get("HOME");
  if (!home) throw new Error("kernel: neither JUPYTER_DATA_DIR nor HOME is set; pass --data-dir");
  if (Deno.build.os === "darwin") return `${home}/Library/Jupyter`;
  const xdg = Deno.env.get("XDG_DATA_HOME");
  return xdg ? `${xdg}/jupyter` : `${home}/.local/share/jupyter`;
}

function checkName(name: string): string {
  // Jupyter's own rule for kernelspec names.
  if (!/^[a-z0-9._-]+$/i.test(name)) {
    throw new Error(`kernel: name "${name}" may only hold letters, digits, ".", "_" and "-"`);
  }
  return name;
}

/**
 * The kernelspec (`kernel.json` contents) for `options`, from the template in `kernels/trainlarge/`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { kernelSpec } from "./install.ts";
 * const spec = await kernelSpec({ backend: "cpu", projectDir: "/srv/trainlarge", deno: "/usr/bin/deno" });
 * assertEquals(spec.argv.slice(3), ["/srv/trainlarge", "/usr/bin/deno", "{connection_file}"]);
 * assertEquals([spec.interrupt_mode, spec.env.TRAINLARGE_BACKEND], ["signal", "cpu"]);
 * ```
 */
export async function kernelSpec(options: KernelOptions = {}): Promise<{
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: string;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}> {
  const values: Record<string, string> = {
    PROJECT_DIR: options.projectDir ??
      decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, ""),
    DENO: options.deno ?? Deno.execPath(),
    DISPLAY_NAME: options.displayName ?? KERNEL_DEFAULTS.displayName,
    BACKEND: options.backend ?? (Deno.env.get("TRAINLARGE_BACKEND") || "auto"),
  };
  const template = JSON.parse(await Deno.readTextFile(TEMPLATE));
  // Substitute inside parsed strings so paths with quotes or backslashes stay valid JSON.
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/@([A-Z_]+)@/g, (m, key) => values[key] ?? m);
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    }
    return value;
  };
  return fill(template) as Awaited<ReturnType<typeof kernelSpec>>;
}

/**
 * Writes the kernelspec to `<dataDir>/kernels/<name>/kernel.json` (replacing an older one) and returns
 * that folder.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { installKernel, uninstallKernel } from "./install.ts";
 * const dataDir = await Deno.makeTempDir();
 * const dir = await installKernel({ dataDir });
 * assert(dir === `${dataDir}/kernels/trainlarge`);
 * assert(await uninstallKernel({ dataDir }));
 * await Deno.remove(dataDir, { recursive: true });
 * ```
 */
export async function installKernel(options: KernelOptions = {}): Promise<string> {
  const dir = `${options.dataDir ?? jupyterDataDir()}/kernels/${
    checkName(options.name ?? KERNEL_DEFAULTS.name)
  }`;
  const spec = await kernelSpec(options);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/kernel.json`, JSON.stringify(spec, null, 2) + "\n");
  return dir;
}

/** Removes the kernelspec folder; returns false when there was none. */
export async function uninstallKernel(
  options: Pick<KernelOptions, "name" | "dataDir"> = {},
): Promise<boolean> {
  const dir = `${options.dataDir ?? jupyterDataDir()}/kernels/${
    checkName(options.name ?? KERNEL_DEFAULTS.name)
  }`;
  try {
    await Deno.remove(dir, { recursive: true });
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function main(args: string[]): Promise<number> {
  const flags = parseArgs(args, {
    string: ["name", "backend", "display-name", "data-dir"],
    boolean: ["help"],
  });
  const [command] = flags._;
  const common = { name: flags.name, dataDir: flags["data-dir"] };
  if (flags.help || (command !== "install" && command !== "uninstall")) {
    console.error(
      "usage: deno run -A kernels/install.ts install [--backend NAME] [--name NAME] [--display-name TEXT] " +
        "[--data-dir DIR]\n       deno run -A kernels/install.ts uninstall [--name NAME] [--data-dir DIR]",
    );
    return flags.help ? 0 : 2;
  }
  if (command === "install") {
    const dir = await installKernel({
      ...common,
      backend: flags.backend,
      displayName: flags["display-name"],
    });
    console.log(`installed kernelspec "${common.name ?? KERNEL_DEFAULTS.name}" in ${dir}`);
  } else {
    const removed = await uninstallKernel(common);
    console.log(
      removed
        ? `removed kernelspec "${common.name ?? KERNEL_DEFAULTS.name}"`
        : `no kernelspec "${common.name ?? KERNEL_DEFAULTS.name}" to remove`,
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
