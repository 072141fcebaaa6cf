/**
 * moto's server (AWS APIs served by the real moto, from PyPI) on 127.0.0.1 and a free port, for
 * one test file. Clients reach it through the real AWS SDK with `endpoint` (or AWS_ENDPOINT_URL).
 * Its control API: http://docs.getmoto.org/en/latest/docs/server_mode.html (reset) and
 * http://docs.getmoto.org/en/latest/docs/configuration/state_transition/index.html (state manager).
 */
import { afterAll, beforeAll } from "vitest";
import { PEER_INSTALL_TIMEOUT_MS, peerPython } from "./python-env.js";
import { startProcess, type StartedProcess } from "./started-process.js";

/** moto's fixed account (moto/core/models.py DEFAULT_ACCOUNT_ID) and the region the tests use. */
export const MOTO_ACCOUNT = "123456789012";
export const MOTO_REGION = "eu-west-1";
/** The first start imports a few hundred modules on a loaded CI machine. */
const START_TIMEOUT_MS = 60_000;

/** How a moto model advances through its states (moto's state manager). */
export type MotoTransition =
  | { readonly progression: "immediate" }
  | { readonly progression: "manual"; readonly times: number }
  | { readonly progression: "time"; readonly seconds: number };

export interface MotoServer {
  readonly endpoint: string;
  /** Client settings for the AWS SDK: moto's endpoint, its region, any credentials. */
  readonly clientConfig: {
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Forgets every resource (all services). */
  reset(): Promise<void>;
  setTransition(model: string, transition: MotoTransition): Promise<void>;
  /** Back to the model's default progression. */
  unsetTransition(model: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startMotoServer(): Promise<MotoServer> {
  const python = await peerPython((line) => process.stderr.write(`[moto] ${line}\n`));
  const started: StartedProcess = await startProcess({
    name: "moto_server",
    command: python,
    args: ["-m", "moto.server", "--host", "127.0.0.1", "--port", "0"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
    // Werkzeug's start-up line: " * Running on http://127.0.0.1:40123".
    ready: /Running on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: START_TIMEOUT_MS,
  });
  const endpoint = started.readyMatch;
  const control = async (path: string, body?: object): Promise<void> => {
    const response = await fetch(`${endpoint}/moto-api/${path}`, {
      method: "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`moto ${path}: HTTP ${response.status} ${await response.text()}`);
  };
  return {
    endpoint,
    clientConfig: {
      region: MOTO_REGION,
      endpoint,
      credentials: { accessKeyId: "moto", secretAccessKey: "moto" },
    },
    reset: () => control("reset"),
    setTransition: (model, transition) =>
      control("state-manager/set-transition", { model_name: model, transition }),
    unsetTransition: (model) => control("state-manager/unset-transition", { model_name: model }),
    output: started.output,
    stop: started.stop,
  };
}

/** One moto for the calling test file: started before its tests (installing it on first use), stopped after. */
export function motoForThisFile(): () => MotoServer {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMotoServer();
  }, PEER_INSTALL_TIMEOUT_MS);
  afterAll(async () => {
    await moto?.stop();
  });
  return () => {
    if (moto === undefined) throw new Error("moto is not running (its beforeAll failed)");
    return moto;
  };
}
