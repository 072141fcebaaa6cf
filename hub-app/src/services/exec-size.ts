import { HubError } from "../errors.js";

/**
 * What one exec(2) can take. Linux caps argv plus envp (the strings, their NULs and one pointer
 * each) at a quarter of the stack limit, 2 MiB with the usual 8 MiB stack (execve(2), "Limits on
 * size of arguments and environment"); past it the exec fails with E2BIG. The Hub's budget is
 * half of that, leaving the rest to the programs that wrap a command on its way in.
 */
export const COMMAND_BYTES_MAX = 1_048_576;
/** A container's own env rides along with every command: it may take at most half the budget. */
export const CONTAINER_ENV_BYTES_MAX = COMMAND_BYTES_MAX / 2;
const POINTER_BYTES = 8;

/** Bytes exec(2) counts for these strings. */
export function execBytes(strings: Iterable<string>): number {
  let total = 0;
  for (const text of strings) total += Buffer.byteLength(text) + 1 + POINTER_BYTES;
  return total;
}

function envStrings(env: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(env ?? {}).map(([name, value]) => `${name}=${value}`);
}

export function checkContainerEnvSize(env: Readonly<Record<string, string>> | undefined): void {
  const bytes = execBytes(envStrings(env));
  if (bytes > CONTAINER_ENV_BYTES_MAX)
    throw new HubError(
      "invalid_request",
      `env takes ${bytes} bytes; at most ${CONTAINER_ENV_BYTES_MAX} (half of what one command may take, exec(2)), so commands keep room: put large values in files`,
    );
}

/** A run's argv and env take the other half, so every run fits whatever its container's env. */
export const RUN_BYTES_MAX = COMMAND_BYTES_MAX - CONTAINER_ENV_BYTES_MAX;

export function checkCommandSize(
  command: readonly string[],
  runEnv: Readonly<Record<string, string>> | undefined,
): void {
  const bytes = execBytes([...command, ...envStrings(runEnv)]);
  if (bytes > RUN_BYTES_MAX)
    throw new HubError(
      "invalid_request",
      `command and env take ${bytes} bytes; at most ${RUN_BYTES_MAX} together (half of what exec(2) takes; the container's env has the other half): pass large inputs as files`,
    );
}
