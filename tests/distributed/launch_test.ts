import { assertEquals, assertThrows } from "@std/assert";
import { canonicalJson } from "../../lib/distributed/agree.ts";
import { launchedInParallel, mpiLaunch } from "../../lib/distributed/launch.ts";
import { mpiTimeoutSeconds } from "../../lib/distributed/watchdog.ts";

Deno.test("mpiLaunch reads hydra's, Slurm's PMI-2/PMIx and Open MPI's variables", () => {
  assertEquals(mpiLaunch({ PMI_RANK: "3", PMI_SIZE: "4" }), { via: "pmi", rank: 3, size: 4 });
  assertEquals(mpiLaunch({ PMIX_RANK: "1", SLURM_NTASKS: "8" }), { via: "pmix", rank: 1, size: 8 });
  assertEquals(mpiLaunch({ OMPI_COMM_WORLD_RANK: "0", OMPI_COMM_WORLD_SIZE: "2" })?.via, "openmpi");
  assertEquals(mpiLaunch({ SLURM_PROCID: "0", SLURM_NTASKS: "2" }), null); // srun without an MPI plugin
  assertEquals(mpiLaunch({}), null);
  assertEquals(launchedInParallel({ PMIX_RANK: "0" }), true); // size unknown: MPI will say
  assertEquals(launchedInParallel({ PMI_RANK: "0", PMI_SIZE: "1" }), false);
});

Deno.test("TRAINLARGE_MPI_TIMEOUT must be a positive number of seconds", () => {
  assertEquals(mpiTimeoutSeconds({ TRAINLARGE_MPI_TIMEOUT: "2.5" }), 2.5);
  for (const bad of ["0", "-1", "ten", "Infinity"]) {
    assertThrows(() => mpiTimeoutSeconds({ TRAINLARGE_MPI_TIMEOUT: bad }), Error, "TRAINLARGE_MPI_TIMEOUT");
  }
});

Deno.test("canonicalJson ignores key order, so equal configs hash equally on every rank", () => {
  assertEquals(canonicalJson({ a: 1, b: { d: [1], c: 2 } }), canonicalJson({ b: { c: 2, d: [1] }, a: 1 }));
});
