import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { choiceEnv, numberEnv, optionalTextEnv } from "../../env-fields.js";

/** The local orchestrator's own environment: where sandboxes live, process cap, network. */
export const localEnvSchema = z
  .object({
    HUB_LOCAL_ROOT: optionalTextEnv()
      .refine((value) => value === undefined || isAbsolute(value), {
        error: "HUB_LOCAL_ROOT must be an absolute path",
      })
      .meta({ defaultInWords: "`<os tmpdir>/hub-sandboxes`" })
      .describe("absolute path; each sandbox keeps `<id>/meta.json`, `<id>/work` and `<id>/tmp` here"),
    // 256 processes is plenty for a shell, a compiler and a small web server.
    HUB_LOCAL_MAX_PROCESSES: numberEnv(
      "HUB_LOCAL_MAX_PROCESSES",
      { min: 16, max: 65536, integer: true },
      256,
    ).describe(
      "tasks of a sandbox, 16-65536: its cgroup's `pids.max`, or without cgroups RLIMIT_NPROC (root Hub only)",
    ),
    // The pods' emptyDirs together (kubernetes/pod-spec.ts): 1 GiB of working directory and 256 MiB of /tmp.
    HUB_LOCAL_SCRATCH_MIB: numberEnv(
      "HUB_LOCAL_SCRATCH_MIB",
      { min: 16, max: 1_048_576, integer: true },
      1280,
    ).describe(
      "disk a sandbox's home folder and `/tmp` may use together, MiB (16-1048576), and 256 inodes per MiB: no file may be larger, and past either the sandbox is evicted as a pod past its emptyDir `sizeLimit` is",
    ),
    HUB_LOCAL_NETWORK: choiceEnv("HUB_LOCAL_NETWORK", ["none", "host"], "none").describe(
      "`none`: an empty network namespace; `host`: the host's network (a student's server is then on 127.0.0.1)",
    ),
    HUB_LOCAL_CGROUPS: choiceEnv("HUB_LOCAL_CGROUPS", ["auto", "off"], "auto").describe(
      "`auto`: each sandbox in a cgroup of its own where the host allows it (v2, else v1); `off`: none, as on a host without them (for a host whose cgroups another manager owns)",
    ),
  })
  .transform((env) => ({
    root: env.HUB_LOCAL_ROOT ?? join(tmpdir(), "hub-sandboxes"),
    maxProcesses: env.HUB_LOCAL_MAX_PROCESSES,
    scratchMiB: env.HUB_LOCAL_SCRATCH_MIB,
    network: env.HUB_LOCAL_NETWORK,
    cgroups: env.HUB_LOCAL_CGROUPS,
  }));

export type LocalSettings = z.output<typeof localEnvSchema>;
