/**
 * One real cluster per test run, shared by every test file of the "real-peers" project: started
 * with `cluster up --stack eks-ec2` in a folder of its own (free ports, own temp dir), so two runs
 * (two worktrees) never meet, and stopped when the run ends. The first run on a machine builds
 * the programs from the Go module proxy (many minutes; CI builds them in .ci/run first).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureProgram, REPO_ROOT } from "../../../scripts/cluster/binaries";
import { karpenterModule } from "../../../scripts/study/karpenter/program";
import { readClusterInfo, stopControlPlane, type ClusterInfo } from "../../../scripts/cluster/control-plane";

declare module "vitest" {
  export interface ProvidedContext {
    k8sEnv: ClusterInfo;
  }
}

/** The stack whose nodes and objects the shared cluster carries. */
export const CLUSTER_STACK = "eks-ec2";

function clusterUp(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      [join(REPO_ROOT, "scripts", "cluster.ts"), "up", "--stack", CLUSTER_STACK, "--dir", dir],
      { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      // Progress of a first build is worth seeing; a warm start is a few quiet lines.
      if (/Building|still building|built /.test(chunk.toString())) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`cluster up failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-env-test-"));
  const teardown = async () => {
    await stopControlPlane(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The study's autoscaler (test/study/real), built here so a first build is not cut by a test's hook timeout.
    await ensureProgram(karpenterModule(), (line) => process.stderr.write(`${line}\n`));
    await clusterUp(dir);
  } catch (error) {
    // Stopped, but the folder (logs) stays for whoever reads the failure.
    await stopControlPlane(dir);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n(logs kept in ${dir}/logs)`);
  }
  const info = readClusterInfo(dir);
  if (info === undefined) throw new Error(`cluster up left no cluster.json in ${dir}`);
  project.provide("k8sEnv", info);
  return teardown;
}
