/** The CLI's commands (spawn, report, matrix) with injectable I/O, so tests drive it like a user would. */
import { mkdir, writeFile } from "node:fs/promises";
import { Command, CommanderError, Option } from "commander";
import { connectToHub, type ConnectedHub } from "./hub-connection.js";
import {
  MATRIX_STACKS,
  requireTargets,
  STUDY_INTERVALS_MS,
  STUDY_SIZES,
  runMatrix,
  type MatrixTarget,
} from "./matrix.js";
import { TOOL, measure } from "./measure.js";
import {
  DEFAULT_APP_PORT,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_START,
  PLACEMENT_HELP,
  UsageError,
  nonNegativeNumber,
  parseHubUrl,
  parseScenario,
  parseSpawnOptions,
  parseWebApp,
  type WebAppSettings,
  positiveInteger,
  positiveIntegerList,
  positiveNumber,
  type RawSpawnOptions,
} from "./options.js";
import { checkWritableTarget, loadFiles } from "./preflight.js";
import { createProgressView, type TerminalStream } from "./progress.js";
import { groupRuns, loadRunRecord } from "./report-data.js";
import { renderReport } from "./report-html.js";
import { renderSummaryText } from "./summary-text.js";
import { loadWebApp } from "./web-app.js";

/** --files, then the web scenario's app. */
async function uploadsFor(files: readonly string[], app: WebAppSettings | undefined) {
  return [...(await loadFiles(files)), ...(app === undefined ? [] : await loadWebApp(app))];
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: TerminalStream;
  readonly env: NodeJS.ProcessEnv;
  /** Ctrl-C once: stop and clean up. */
  readonly interrupt?: AbortSignal;
  /** Ctrl-C twice: stop waiting for creates in flight. */
  readonly force?: AbortSignal;
  /** The embedded Hub (no --hub); tests may swap it. */
  readonly startLocalHub?: () => Promise<ConnectedHub>;
}

export const EXIT = { ok: 0, runFailures: 1, usage: 2, interrupted: 130 } as const;

async function defaultLocalHub(): Promise<ConnectedHub> {
  // Loaded only when needed: a run against --hub does not load the Hub itself.
  const { startLocalHub } = await import("./local-hub.js");
  return startLocalHub();
}

function exitCodeOf(record: { interrupted: boolean; summary: { failed: number; aborted: number } }): number {
  if (record.interrupted) return EXIT.interrupted;
  return record.summary.failed + record.summary.aborted > 0 ? EXIT.runFailures : EXIT.ok;
}

async function spawn(raw: RawSpawnOptions, io: CliIo): Promise<number> {
  const settings = parseSpawnOptions(raw, io.env);
  const files = await uploadsFor(settings.files, settings.app);
  if (settings.jsonPath !== undefined) await checkWritableTarget("--json", settings.jsonPath);
  const hub =
    settings.hubUrl === undefined
      ? await (io.startLocalHub ?? defaultLocalHub)()
      : await connectToHub(settings.hubUrl, settings.token ?? "");
  const progress = createProgressView(io.stderr);
  // A create the Hub refuses as invalid (--cpu 99 on a Hub allowing 4) stops the run like Ctrl-C,
  // and the Hub's own words become the usage error.
  const refusal = new AbortController();
  let refusedWith: string | undefined;
  const interrupt =
    io.interrupt === undefined ? refusal.signal : AbortSignal.any([io.interrupt, refusal.signal]);
  try {
    const record = await measure(hub, settings, files, {
      interrupt,
      ...(io.force === undefined ? {} : { force: io.force }),
      onProgress: (counts) => progress.update(counts),
      onNotice: (line) => {
        if (refusedWith === undefined) progress.notice(line);
      },
      onCreateRefused: (message) => {
        refusedWith ??= message;
        refusal.abort();
      },
    });
    progress.stop();
    if (refusedWith !== undefined) throw new UsageError(`the Hub refused the create: ${refusedWith}`);
    io.stdout.write(renderSummaryText(record));
    if (settings.jsonPath !== undefined) {
      await writeFile(settings.jsonPath, JSON.stringify(record, null, 2));
      io.stderr.write(`wrote ${settings.jsonPath}\n`);
    }
    return exitCodeOf(record);
  } finally {
    progress.stop();
    await hub.close();
  }
}

async function report(paths: readonly string[], out: string, io: CliIo): Promise<number> {
  await checkWritableTarget("--out", out);
  const records = await Promise.all(paths.map((file) => loadRunRecord(file)));
  await writeFile(out, renderReport(groupRuns(records)));
  io.stderr.write(`wrote ${out} (${records.length} runs)\n`);
  return EXIT.ok;
}

interface RawMatrixOptions extends Record<string, string | readonly string[] | undefined> {
  readonly outDir: string;
  readonly sizes?: string;
  readonly intervals?: string;
  readonly token?: string;
  readonly cpu: string;
  readonly mem: string;
  readonly image?: string;
  readonly files?: readonly string[];
  readonly ttl?: string;
  readonly drainTimeout: string;
  readonly scenario: string;
  readonly app?: string;
  readonly start?: string;
  readonly appPort?: string;
}

const camel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

function matrixTargets(raw: RawMatrixOptions, env: NodeJS.ProcessEnv): MatrixTarget[] {
  const targets: MatrixTarget[] = [];
  for (const stack of MATRIX_STACKS) {
    const url = raw[camel(`hub-${stack.flag}`)];
    if (typeof url !== "string") continue;
    const own = raw[camel(`token-${stack.flag}`)];
    const token = typeof own === "string" ? own : (raw.token ?? env.HUB_TOKEN);
    if (token === undefined || token === "") {
      throw new UsageError(
        `--hub-${stack.flag} needs a token: pass --token-${stack.flag}, --token or set HUB_TOKEN`,
      );
    }
    targets.push({
      label: stack.label,
      url: parseHubUrl(`--hub-${stack.flag}`, url),
      token,
      placement: stack.placement,
    });
  }
  return targets;
}

async function matrix(raw: RawMatrixOptions, io: CliIo): Promise<number> {
  const targets = matrixTargets(raw, io.env);
  requireTargets(targets);
  const scenario = parseScenario(raw.scenario);
  const app = parseWebApp(scenario, raw);
  const files = await uploadsFor(raw.files ?? [], app);
  const sizes = raw.sizes === undefined ? STUDY_SIZES : positiveIntegerList("--sizes", raw.sizes);
  const intervalsMs =
    raw.intervals === undefined ? STUDY_INTERVALS_MS : positiveIntegerList("--intervals", raw.intervals);
  const cell = {
    cpu: positiveNumber("--cpu", raw.cpu),
    memoryMiB: positiveInteger("--mem", raw.mem),
    ...(raw.image === undefined ? {} : { image: raw.image }),
    files: raw.files ?? [],
    keep: false,
    ...(raw.ttl === undefined ? {} : { ttlSeconds: positiveInteger("--ttl", raw.ttl) }),
    drainTimeoutMs: nonNegativeNumber("--drain-timeout", raw.drainTimeout),
    ...(app === undefined ? {} : { app }),
  };
  // Only once every option is known good: a refused run leaves no folder behind.
  await mkdir(raw.outDir, { recursive: true });
  await checkWritableTarget("--out-dir", `${raw.outDir}/x.json`);
  const result = await runMatrix(
    { targets, sizes, intervalsMs, outDir: raw.outDir, files, cell, scenario },
    {
      connect: (target) => connectToHub(target.url, target.token),
      controls: {
        ...(io.interrupt === undefined ? {} : { interrupt: io.interrupt }),
        ...(io.force === undefined ? {} : { force: io.force }),
        onNotice: (line) => io.stderr.write(`${line}\n`),
      },
      onCell: (record, file) => io.stderr.write(`${file}: ${record.summary.verdict.text}\n`),
    },
  );
  io.stderr.write(`wrote ${result.files.length} runs and ${result.reportFile}\n`);
  return result.interrupted ? EXIT.interrupted : EXIT.ok;
}

function addRunOptions(command: Command): Command {
  return command
    .option("--cpu <vcpu>", "vCPU per container", "0.1")
    .option("--mem <mib>", "memory per container in MiB", "128")
    .option("--image <image>", "image for every container (default: the Hub's)")
    .option("--files <paths...>", "files to put into each container (by base name)")
    .option(
      "--ttl <seconds>",
      "ttlSeconds per container: the Hub reaps them if the tool is killed (default: the Hub's)",
    )
    .option(
      "--drain-timeout <ms>",
      "on Ctrl-C, how long to wait for creates in flight",
      String(DEFAULT_DRAIN_TIMEOUT_MS),
    )
    .option("--app <dir>", "web scenario: the app's files (default: one index.html)")
    .option("--start <command>", `web scenario: starts the app, with PORT set (default: ${DEFAULT_START})`)
    .option("--app-port <port>", `web scenario: the port the app listens on (default: ${DEFAULT_APP_PORT})`);
}

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command("hub-bench")
    .description("Measure container creation time and command latency through a Hub")
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  addRunOptions(
    program
      .command("spawn")
      .description("create containers on schedule (open loop), measure, delete them")
      .option("-n <count>", "containers to create", "1")
      .option("-i, --interval <ms>", "ms between creates, not waiting for earlier ones", "100")
      .option("--placement <placement>", PLACEMENT_HELP)
      .option("--fargate", "shorthand for --placement fargate")
      .option(
        "--scenario <name>",
        "basic: create only; exec: then run `ls /` 10 times per container; web: then start an app and GET it through a port URL",
        "basic",
      )
      .option("--keep", "do not delete the containers at the end")
      .option("--hub <url>", "the Hub to measure (default: start one on the local orchestrator)")
      .option("--token <token>", "the Hub's API token (default: $HUB_TOKEN)")
      .option("--json <file>", "write every sample and the summary here")
      .option("--label <name>", "name of this run in reports, e.g. the stack"),
  ).action(async (raw: RawSpawnOptions) => setExitCode(await spawn(raw, io)));

  program
    .command("report")
    .description("compare --json runs side by side in one self-contained HTML page")
    .argument("<files...>", "run files written by spawn --json or matrix")
    .option("--out <file>", "the HTML file to write", "report.html")
    .action(async (paths: string[], options: { out: string }) =>
      setExitCode(await report(paths, options.out, io)),
    );

  const matrixCommand = program
    .command("matrix")
    .description(
      `the study's grid (${STUDY_SIZES.join(", ")} containers x every ${STUDY_INTERVALS_MS.join(" / ")} ms, exec) per Hub`,
    )
    .option("--out-dir <dir>", "where the JSON files and report.html go", "bench-results")
    .option("--sizes <list>", "container counts, comma separated", STUDY_SIZES.join(","))
    .option("--intervals <list>", "ms between creates, comma separated", STUDY_INTERVALS_MS.join(","))
    .option("--token <token>", "token for every Hub without its own (default: $HUB_TOKEN)")
    .option(
      "--scenario <name>",
      "exec: `ls /` 10 times per container; web: an app reached through a port URL",
      "exec",
    );
  for (const stack of MATRIX_STACKS) {
    matrixCommand
      .addOption(
        new Option(
          `--hub-${stack.flag} <url>`,
          `the ${stack.label} stack's Hub (placement ${stack.placement})`,
        ),
      )
      .addOption(new Option(`--token-${stack.flag} <token>`, `token of the ${stack.label} Hub`));
  }
  addRunOptions(matrixCommand).action(async (raw: RawMatrixOptions) => setExitCode(await matrix(raw, io)));
  return program;
}

/** Runs the CLI; returns the exit code. Every error is one line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      io.stderr.write(`hub-bench: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`hub-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.runFailures;
  }
}
