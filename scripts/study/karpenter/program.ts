/**
 * Karpenter's kwok controller (sigs.k8s.io/karpenter/kwok, its own main) built from the Go module proxy by
 * test/k8s-env/karpenter, and its CRDs read from the same pinned module.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT, type GoModule } from "../../cluster/binaries";
import type { KubernetesObject } from "../../cluster/stack-shape";

const MODULE_DIR = join(REPO_ROOT, "test", "k8s-env", "karpenter");

/** The Karpenter release test/k8s-env/karpenter/go.mod pins. */
export function karpenterVersion(): string {
  const goMod = readFileSync(join(MODULE_DIR, "go.mod"), "utf8");
  const version = /^\s*sigs\.k8s\.io\/karpenter (v\S+)/m.exec(goMod)?.[1];
  if (version === undefined)
    throw new Error("test/k8s-env/karpenter/go.mod does not require sigs.k8s.io/karpenter");
  return version;
}

export function karpenterModule(): GoModule {
  return {
    dir: MODULE_DIR,
    output: "karpenter-kwok",
    serves: [],
    pkg: "sigs.k8s.io/karpenter/kwok",
    stampsKubernetesVersion: false,
    // operator.Version is what Karpenter logs and sends as its user agent (pkg/operator/operator.go).
    extraLdflags: ["-X", `sigs.k8s.io/karpenter/pkg/operator.Version=${karpenterVersion()}`],
  };
}

/** NodePool, NodeClaim and NodeOverlay (pkg/apis/crds) and KWOKNodeClass (kwok/apis/crds). */
export const CRD_FILES = [
  "pkg/apis/crds/karpenter.sh_nodepools.yaml",
  "pkg/apis/crds/karpenter.sh_nodeclaims.yaml",
  "pkg/apis/crds/karpenter.sh_nodeoverlays.yaml",
  "kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml",
] as const;

/** The CRDs as the pinned module ships them (the module cache is read-only and checked against go.sum). */
export function karpenterCrds(): KubernetesObject[] {
  const { Dir: moduleDir } = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `sigs.k8s.io/karpenter@${karpenterVersion()}`], {
      cwd: MODULE_DIR,
      encoding: "utf8",
      env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
    }),
  ) as { Dir: string };
  return CRD_FILES.flatMap((file) =>
    parseAllDocuments(readFileSync(join(moduleDir, file), "utf8"))
      .map((doc) => doc.toJS() as KubernetesObject | null)
      .filter((object): object is KubernetesObject => object !== null),
  );
}
