/**
 * Runs a command in a sandbox task through ECS Exec: ExecuteCommand for a session, the framed
 * script of run-script.ts over it (or an upload script fed through stdin), the framed output read
 * back into a RunResult.
 */
import { ExecuteCommandCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { HubError } from "../../errors.js";
import { CappedOutput } from "../capped-output.js";
import type { RunRequest, RunResult } from "../types.js";
import type { StdinScript } from "./file-upload.js";
import { callEcs } from "./errors.js";
import { runSsmSession, type SessionEnd, type SessionEndpoint, type SessionOptions } from "./exec-session.js";
import { KILL_AFTER_SECONDS, killedByTimeout } from "../command-script.js";
import { buildRunScript, execCommandFor, newNonce, parseRunOutput } from "./run-script.js";
import type { EcsSettings } from "./settings.js";
import { SANDBOX_CONTAINER_NAME } from "./task-definitions.js";

/** Time a session may take beyond the command's own timeout: session set-up and output transfer. */
const SESSION_SLACK_MS = 30_000;
/** The exit marker's fixed start, looked for in each chunk's neighbourhood. */
const EXIT_MARKER_START = "__HUB_EXIT_";

/** How long a session's command may take and how much of its output is kept. */
export type SessionLimits = Pick<RunRequest, "timeoutMs" | "maxOutputBytes">;

export type OpenSession = (endpoint: SessionEndpoint, options: SessionOptions) => Promise<SessionEnd>;

export interface ExecDeps {
  readonly ecs: ECSClient;
  readonly settings: Pick<EcsSettings, "cluster" | "workdir" | "execCommandMaxChars">;
  readonly now: () => number;
  readonly openSession?: OpenSession;
}

export class TaskExec {
  private readonly openSession: OpenSession;

  constructor(private readonly deps: ExecDeps) {
    this.openSession = deps.openSession ?? runSsmSession;
  }

  async run(taskArn: string, request: RunRequest): Promise<RunResult> {
    const nonce = newNonce();
    return this.runScript(
      taskArn,
      buildRunScript(request, this.deps.settings.workdir, nonce),
      nonce,
      request,
    );
  }

  /** Runs an upload script, sending its stdin once it asks; `nonce` is the one its framing used. */
  async runWithStdin(
    taskArn: string,
    upload: StdinScript,
    nonce: string,
    request: SessionLimits,
  ): Promise<RunResult> {
    return this.runScript(taskArn, upload.script, nonce, request, upload);
  }

  private async runScript(
    taskArn: string,
    script: string,
    nonce: string,
    request: SessionLimits,
    upload?: StdinScript,
  ): Promise<RunResult> {
    const started = this.deps.now();
    const command = execCommandFor(script);
    const limit = this.deps.settings.execCommandMaxChars;
    if (command.length > limit) {
      // ECS would refuse it with a bare InvalidParameterException; say what to do instead.
      throw new HubError(
        "invalid_request",
        `the command, cwd and env make an ECS Exec command of ${command.length} characters; ECS takes at most ${limit}: put long inputs in files (PUT .../files)`,
      );
    }
    const endpoint = await this.startSession(taskArn, command);
    const text = await this.collect(endpoint, nonce, request, upload);
    const parsed = parseRunOutput(text.output, nonce);
    if (parsed === undefined) {
      const why = text.end.by === "channel_closed" && text.end.message !== "" ? `: ${text.end.message}` : "";
      throw new HubError(
        "container_failed",
        `the exec session ended before the command reported its exit code (the sandbox may have stopped)${why}`,
      );
    }
    const durationMs = this.deps.now() - started;
    const stdout = new CappedOutput(request.maxOutputBytes);
    const stderr = new CappedOutput(request.maxOutputBytes);
    stdout.push(parsed.stdout);
    stderr.push(parsed.stderr);
    const timedOut = killedByTimeout(parsed.exitCode, durationMs, request.timeoutMs);
    return {
      exitCode: timedOut ? null : parsed.exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
      durationMs,
    };
  }

  private async startSession(taskArn: string, command: string): Promise<SessionEndpoint> {
    const { cluster } = this.deps.settings;
    const result = await callEcs("ExecuteCommand", () =>
      this.deps.ecs.send(
        new ExecuteCommandCommand({
          cluster,
          task: taskArn,
          container: SANDBOX_CONTAINER_NAME,
          interactive: true,
          command,
        }),
      ),
    );
    const { streamUrl, tokenValue } = result.session ?? {};
    if (streamUrl === undefined || tokenValue === undefined) {
      throw new HubError("internal", "ECS ExecuteCommand answered without a session URL and token");
    }
    return { streamUrl, tokenValue };
  }

  /** All session output as text (base64 and markers are ASCII, so latin1 never splits a character). */
  private async collect(
    endpoint: SessionEndpoint,
    nonce: string,
    request: SessionLimits,
    upload: StdinScript | undefined,
  ): Promise<{ output: string; end: SessionEnd }> {
    // Two base64 streams of maxOutputBytes + 1, line breaks doubled by the pty, plus markers.
    const maxChars = 2 * Math.ceil(((request.maxOutputBytes + 1) * 4) / 3) * 1.1 + 4096;
    let output = "";
    let stdinSent = upload === undefined;
    const end = await this.openSession(endpoint, {
      timeoutMs: request.timeoutMs + KILL_AFTER_SECONDS * 1000 + SESSION_SLACK_MS,
      onOutput: (chunk, input) => {
        const searchFrom = Math.max(0, output.length - 64);
        output += chunk.toString("latin1");
        if (!stdinSent && output.includes(upload!.sendAfter, searchFrom)) {
          stdinSent = true;
          input.write(upload!.stdin);
        }
        if (output.length > maxChars) {
          throw new HubError(
            "container_failed",
            "the exec session sent more output than the command can produce",
          );
        }
        return output.includes(EXIT_MARKER_START, searchFrom) && parseRunOutput(output, nonce) !== undefined;
      },
    });
    return { output, end };
  }
}
