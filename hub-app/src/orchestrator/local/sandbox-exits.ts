/**
 * When the sandboxes this Hub process launched exit, by their init's pid. The outer bwrap is the
 * spawn helper's child and exits as soon as the sandbox's init does (it waits for it, bwrap(1)), so a
 * delete waits for that event instead of polling /proc. Sandboxes of an earlier Hub are not
 * children of this one, and a helper that died took their exits with it (false): waitUntilGone
 * polls for those.
 */
const exits = new Map<number, { startTime: string; exited: Promise<boolean> }>();

export function trackExit(initPid: number, startTime: string, exited: Promise<boolean>): void {
  const tracked = { startTime, exited };
  exits.set(initPid, tracked);
  void exited.then(() => {
    if (exits.get(initPid) === tracked) exits.delete(initPid);
  });
}

/** Resolves once the sandbox of `initPid` launched by this process has exited; undefined when it was not. */
export function exitOf(initPid: number): Promise<boolean> | undefined {
  return exits.get(initPid)?.exited;
}

/**
 * Whether this process launched the init `initPid` started at `startTime` and has not yet seen its
 * bwrap exit: no syscall, for list and get at a thousand containers (its init may have died a
 * moment ago: the exit arrives once bwrap has reaped it).
 */
export function launchedAndRunning(initPid: number, startTime: string): boolean {
  return exits.get(initPid)?.startTime === startTime;
}
