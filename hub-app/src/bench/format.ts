/** The `--json` file: every sample plus the summary, versioned so later tools can read older runs. */
import type { Summary } from "./summary.js";

export const RUN_FORMAT = 1;

/** Where in a container's life a failure happened. */
/** `app`: the web scenario's start command, port URL and GETs. */
export type Phase = "create" | "ready" | "files" | "command" | "app";

export interface SampleError {
  readonly phase: Phase;
  /** The Hub's error code (e.g. `no_capacity`), or the client's: `network_error`, `client_timeout`, `aborted`, `exit_<n>`. */
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number;
}

export interface CommandSample {
  /** Client-side round trip of `POST /run`, ms. */
  readonly clientMs: number;
  /** The Hub's own `durationMs`. */
  readonly hubMs?: number;
  readonly exitCode: number | null;
}

/** One container. Every `...Ms` time is ms since the run's t0 (the scheduler's start). */
export interface Sample {
  readonly index: number;
  /** When the create was due: index * interval. */
  readonly scheduledMs: number;
  /** When the request was actually sent; firedMs - scheduledMs is the tool's own lag. */
  readonly firedMs: number;
  status: "in_flight" | "ok" | "failed" | "aborted";
  id?: string;
  /** Create response received. */
  respondedMs?: number;
  /** Container running and ready for commands (the create response when the Hub waited, else the first GET that said so). */
  readyMs?: number;
  finishedMs?: number;
  hubTimings?: Readonly<Record<string, number>>;
  /** The create answer's `warm`: a warm-pool claim (true) or a cold start (false); absent from Hubs without pools. */
  warm?: boolean;
  filesMs?: number;
  commands: CommandSample[];
  /** Web scenario: the app's first 200 through the Hub (what a student waits for, from firedMs). */
  firstResponseMs?: number;
  /** Web scenario: each GET through the port URL once the app answered, ms. */
  proxiedMs?: number[];
  error?: SampleError;
}

export interface CleanupReport {
  readonly kept: boolean;
  readonly deleted: number;
  readonly failed: readonly { readonly id: string; readonly code: string }[];
  /** Creates given up on at the drain deadline: the Hub may still make them; its reaper removes them at expiresAt. */
  readonly abandonedInFlight: number;
}

/** The options of a run as recorded (never the token). */
export interface RecordedOptions {
  readonly count: number;
  readonly intervalMs: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly placement?: string;
  readonly image?: string;
  readonly files: readonly string[];
  readonly scenario: "basic" | "exec" | "web";
  readonly commandRepeats: number;
  /** Web scenario: what each container served, and the GETs per container. */
  readonly app?: { readonly dir?: string; readonly start: string; readonly port: number };
  readonly webRequests?: number;
  readonly keep: boolean;
  readonly ttlSeconds?: number;
}

export interface HubIdentity {
  /** Without credentials. */
  readonly url: string;
  readonly version: string;
  readonly orchestrator: string;
  /** Started in-process by the tool (no --hub). */
  readonly embedded: boolean;
}

export interface RunRecord {
  readonly format: typeof RUN_FORMAT;
  readonly tool: { readonly name: string; readonly version: string };
  readonly label: string;
  readonly options: RecordedOptions;
  readonly hub: HubIdentity;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly interrupted: boolean;
  readonly samples: readonly Sample[];
  readonly cleanup: CleanupReport;
  readonly summary: Summary;
}
