/** Polls until `done` says so or the deadline passes; then throws with what `remaining` reports. */
export async function waitUntil(
  done: () => Promise<boolean>,
  options: { readonly deadline: number; readonly describeRemaining: () => Promise<string> },
): Promise<void> {
  let delayMs = 500;
  while (!(await done())) {
    const left = options.deadline - Date.now();
    if (left <= 0) throw new Error(`gave up waiting: ${await options.describeRemaining()}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, left)));
    delayMs = Math.min(delayMs * 2, 10_000);
  }
}
