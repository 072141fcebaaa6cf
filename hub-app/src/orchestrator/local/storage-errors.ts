import { HubError } from "../../errors.js";

// Come back once the operator has made room; readiness probes retry about as often.
const STORAGE_RETRY_SECONDS = 30;

/**
 * A file-system failure of HUB_LOCAL_ROOT as the API reports it: a full disk or an unwritable root
 * is the Hub's trouble, not the caller's, and never "no such container". undefined for any other
 * error (ENOENT is the caller's to interpret). Codes from errno(3).
 */
export function storageError(error: unknown, root: string): HubError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const options = { cause: error };
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return new HubError(
        "insufficient_storage",
        `no space left for sandboxes in HUB_LOCAL_ROOT (${root}): free some, or delete containers`,
        STORAGE_RETRY_SECONDS,
        options,
      );
    case "EROFS":
      return new HubError(
        "insufficient_storage",
        `HUB_LOCAL_ROOT (${root}) is on a read-only file system`,
        STORAGE_RETRY_SECONDS,
        options,
      );
    case "EACCES":
    case "EPERM":
      return new HubError(
        "insufficient_storage",
        `the Hub may not write in HUB_LOCAL_ROOT (${root}): check its owner and mode`,
        STORAGE_RETRY_SECONDS,
        options,
      );
    case "EMFILE":
    case "ENFILE":
      return new HubError(
        "orchestrator_unavailable",
        "the Hub has too many files open; try again",
        1,
        options,
      );
    default:
      return undefined;
  }
}

/** Runs `work`, turning a storage failure into its HubError. */
export async function onStorage<T>(root: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storageError(error, root) ?? error;
  }
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
