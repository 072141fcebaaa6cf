/**
 * The control plane's programs, built from the Go module proxy by test/k8s-env into a cache keyed
 * by the modules' go.sum (first use only), or taken from KUBEBUILDER_ASSETS where a user has them.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { UPSTREAM_STAGES } from "./kwok-config";
import { withLock } from "./lock";

export const REPO_ROOT = join(__dirname, "..", "..");
const MODULES_DIR = join(REPO_ROOT, "test", "k8s-env");

export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "exec-kubelet",
  "kwok",
] as const;
export type Component = (typeof COMPONENTS)[number];

/** Where each component's program is, and the first arguments that select it in a multi-call binary. */
export type Binaries = Readonly<
  Record<Component, { readonly path: string; readonly prefix: readonly string[] }>
>;

export interface GoModule {
  readonly dir: string;
  readonly output: string;
  readonly serves: readonly Component[];
  /** Package to build: the module's own main, or a tool its go.mod pins. */
  readonly pkg: string;
  /** Stamps the Kubernetes version into k8s.io/component-base (kwok's release already carries its own). */
  readonly stampsKubernetesVersion: boolean;
  /** More -ldflags, e.g. `-X` of the program's own version variable. */
  readonly extraLdflags?: readonly string[];
}

export const MODULES: readonly GoModule[] = [
  {
    dir: join(MODULES_DIR, "control-plane"),
    output: "k8s-env",
    serves: ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "exec-kubelet"],
    pkg: ".",
    stampsKubernetesVersion: true,
  },
  {
    dir: join(MODULES_DIR, "kwok"),
    output: "kwok",
    serves: ["kwok"],
    pkg: "sigs.k8s.io/kwok/cmd/kwok",
    stampsKubernetesVersion: false,
  },
];

/** The Kubernetes release the control-plane module pins, for -ldflags so /version tells the truth. */
export function kubernetesVersion(): string {
  const goMod = readFileSync(join(MODULES_DIR, "control-plane", "go.mod"), "utf8");
  const match = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(goMod);
  if (!match?.[1]) throw new Error("test/k8s-env/control-plane/go.mod does not require k8s.io/kubernetes");
  return match[1];
}

/** -s -w (no symbol table or DWARF: less link time, a third smaller), and the version as hack/lib/version.sh stamps a release. */
function ldflags(module: GoModule): string {
  if (!module.stampsKubernetesVersion) return ["-s", "-w", ...(module.extraLdflags ?? [])].join(" ");
  const version = kubernetesVersion();
  const [major, minor] = version.slice(1).split(".");
  const base = "k8s.io/component-base/version";
  // No commit: the module proxy's zip does not say which one, and "$Format:%H$" would pretend to.
  const vars = {
    gitVersion: version,
    gitMajor: major,
    gitMinor: minor,
    gitCommit: "",
    gitTreeState: "clean",
  };
  const stamps = Object.entries(vars).flatMap(([name, value]) => [`-X`, `${base}.${name}=${value}`]);
  return ["-s", "-w", ...stamps].join(" ");
}

function goVersion(): string {
  try {
    return execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("Go is not installed: the local cluster is built with the go command (Go 1.24 or newer)");
  }
}

/** Changes whenever the module's pins, our mains, the Go release or the flags change. */
export function cacheKey(module: GoModule): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(module.dir)
    .filter((name) => /^go\.(mod|sum)$|\.go$/.test(name))
    .sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(module.dir, file)));
  }
  hash.update(ldflags(module)).update(goVersion());
  return hash.digest("hex").slice(0, 16);
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return process.env.K8S_ENV_CACHE ?? join(base, "sandbox-platform", "k8s-env");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Components a user's KUBEBUILDER_ASSETS folder (envtest's layout: one program per component) has. */
function fromAssets(): Partial<Record<Component, string>> {
  const dir = process.env.KUBEBUILDER_ASSETS;
  if (dir === undefined || dir === "") return {};
  const found = COMPONENTS.filter((name) => executable(join(dir, name)));
  return Object.fromEntries(found.map((name) => [name, join(dir, name)]));
}

async function goBuild(module: GoModule, outputPath: string, log: (line: string) => void): Promise<void> {
  const args = ["build", "-trimpath", "-ldflags", ldflags(module), "-o", outputPath, module.pkg];
  const started = Date.now();
  log(`go ${args.join(" ")}  (in ${module.dir})`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("go", args, {
      cwd: module.dir,
      // readonly: the build must use exactly what go.sum pins; no toolchain switch behind our back.
      env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", GOTOOLCHAIN: "local" },
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    const ticker = setInterval(
      () => log(`  still building ${module.output}: ${Math.round((Date.now() - started) / 1000)} s`),
      30_000,
    );
    child.on("error", (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on("exit", (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else
        reject(
          new Error(`go build of ${module.output} failed (exit ${code}): ${stderr.trim().slice(-2000)}`),
        );
    });
  });
  log(`built ${module.output} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** kwok's own Stage files from the module go.sum pins, copied beside the programs (data, read at start). */
function kwokStageFiles(dir: string): string[] {
  const stagesDir = join(dir, "kwok-stages");
  const targets = UPSTREAM_STAGES.map((file) => join(stagesDir, basename(file)));
  if (targets.every((target) => existsSync(target))) return targets;
  const kwokModule = MODULES.find((module) => module.serves.includes("kwok"))!;
  const goMod = readFileSync(join(kwokModule.dir, "go.mod"), "utf8");
  const version = /^\s*sigs\.k8s\.io\/kwok (v\S+)/m.exec(goMod)?.[1];
  if (version === undefined) throw new Error("test/k8s-env/kwok/go.mod does not require sigs.k8s.io/kwok");
  const { Dir: moduleDir } = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `sigs.k8s.io/kwok@${version}`], {
      cwd: kwokModule.dir,
      encoding: "utf8",
    }),
  ) as { Dir: string };
  mkdirSync(stagesDir, { recursive: true });
  UPSTREAM_STAGES.forEach((file, index) => copyFileSync(join(moduleDir, file), targets[index]!));
  return targets;
}

export interface Programs {
  readonly binaries: Binaries;
  /** kwok's upstream Stage files. */
  readonly kwokStages: readonly string[];
}

/** Where a module's program is cached: one folder per module and key, so a change to one rebuilds only it. */
export function programPath(module: GoModule): string {
  return join(cacheRoot(), module.output, cacheKey(module), module.output);
}

/** Builds one module's program unless its cache already has it; returns where it is. */
export async function ensureProgram(module: GoModule, log: (line: string) => void): Promise<string> {
  const target = programPath(module);
  if (executable(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  await withLock(`${target}.lock`, async () => {
    // Another run may have built it while this one waited for the lock.
    if (executable(target)) return;
    log(
      `Building ${module.output} from the Go module proxy into ${dirname(target)} (first use only; a cold build takes many minutes)`,
    );
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    await goBuild(module, partial, log);
    renameSync(partial, target);
  });
  return target;
}

/** Builds what is missing (once per go.sum) and returns where every component's program is. */
export async function ensureBinaries(log: (line: string) => void = console.log): Promise<Programs> {
  const assets = fromAssets();
  const needed = MODULES.filter((module) => module.serves.some((name) => assets[name] === undefined));
  const missing = needed.filter((module) => !executable(programPath(module)));
  if (missing.length > 0) {
    const started = Date.now();
    for (const module of missing) await ensureProgram(module, log);
    log(`Local cluster programs ready after ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const where = (name: Component) => {
    const asset = assets[name];
    if (asset !== undefined) return { path: asset, prefix: [] };
    const module = MODULES.find((m) => m.serves.includes(name))!;
    return { path: programPath(module), prefix: module.serves.length > 1 ? [name] : [] };
  };
  const binaries = Object.fromEntries(COMPONENTS.map((name) => [name, where(name)])) as unknown as Binaries;
  const kwokModule = MODULES.find((module) => module.serves.includes("kwok"))!;
  return { binaries, kwokStages: kwokStageFiles(dirname(programPath(kwokModule))) };
}
