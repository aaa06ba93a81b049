import { assert, assertEquals, assertRejects } from "@std/assert";
import { installKernel, kernelSpec, uninstallKernel } from "../../kernels/install.ts";
import { commandWorks, requireTool } from "../_support/tools.ts";
import { JUPYTER, PROJECT_DIR, run } from "./_subprocess.ts";

Deno.test("kernelSpec() starts the kernel launcher in the project folder with the project's settings", async () => {
  const spec = await kernelSpec({ backend: "wasm", displayName: "TL test" });
  assertEquals(spec.argv[0], "/bin/sh");
  assert(spec.argv[2].includes("kernels/launcher.ts"), spec.argv[2]);
  assertEquals(spec.argv.slice(3), [PROJECT_DIR, Deno.execPath(), "{connection_file}"]);
  assertEquals(spec.interrupt_mode, "signal");
  assertEquals(spec.env, { TRAINLARGE_BACKEND: "wasm" });
  assertEquals([spec.display_name, spec.language], ["TL test", "typescript"]);
});

Deno.test("kernelSpec() keeps paths with quotes and spaces intact", async () => {
  const projectDir = `/tmp/a "quoted" dir/with spaces`;
  const spec = await kernelSpec({ projectDir });
  assertEquals(spec.argv[3], projectDir);
  // The shell receives the path as $0, never spliced into the script text.
  assert(!spec.argv[2].includes(projectDir));
});

Deno.test("kernel:install honours JUPYTER_DATA_DIR and jupyter lists the kernel; kernel:uninstall removes it", async () => {
  if (!requireTool(await commandWorks(JUPYTER, ["--version"]), "jupyter", "apt-get install jupyter-client")) {
    return;
  }
  const dataDir = await Deno.makeTempDir({ prefix: "trainlarge-jupyter-" });
  const env = { JUPYTER_DATA_DIR: dataDir };
  try {
    const install = await run(Deno.execPath(), ["task", "kernel:install", "--backend", "cpu"], {
      env,
      timeoutMs: 60_000,
    });
    assert(install.code === 0, install.output);
    const spec = JSON.parse(await Deno.readTextFile(`${dataDir}/kernels/trainlarge/kernel.json`));
    assertEquals(spec.env.TRAINLARGE_BACKEND, "cpu");
    const listed = await run(JUPYTER, ["kernelspec", "list", "--json"], { env, timeoutMs: 60_000 });
    assert(listed.code === 0, listed.output);
    const specs = JSON.parse(listed.output.slice(listed.output.indexOf("{"))).kernelspecs;
    assertEquals(specs.trainlarge?.resource_dir, `${dataDir}/kernels/trainlarge`);
    assertEquals(specs.trainlarge?.spec.interrupt_mode, "signal");
    const uninstall = await run(Deno.execPath(), ["task", "kernel:uninstall"], { env, timeoutMs: 60_000 });
    assert(uninstall.code === 0, uninstall.output);
    const after = await run(JUPYTER, ["kernelspec", "list", "--json"], { env, timeoutMs: 60_000 });
    // A kernel the developer installed in their own data dir may still be listed; ours must be gone.
    const left = JSON.parse(after.output.slice(after.output.indexOf("{"))).kernelspecs.trainlarge;
    assert(left?.resource_dir !== `${dataDir}/kernels/trainlarge`, JSON.stringify(left));
    await assertRejects(() => Deno.stat(`${dataDir}/kernels/trainlarge`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("installKernel() rejects a kernel name Jupyter would not accept; uninstall of none is false", async () => {
  let message = "";
  try {
    await installKernel({ name: "bad name/..", dataDir: "/nonexistent" });
  } catch (error) {
    message = String(error);
  }
  assert(message.includes(`"bad name/.."`), message);
  const empty = await Deno.makeTempDir();
  assertEquals(await uninstallKernel({ dataDir: empty }), false);
  await Deno.remove(empty);
});
