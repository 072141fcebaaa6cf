/**
 * Unknown values. In a preview, CrossGuard hands a policy the inputs with every value the cloud has not
 * computed yet as a sentinel, and reading one throws `UnknownValueError`; the engine then reports
 * "can't run policy ... during preview" as an advisory instead of a verdict (@pulumi/policy proxy.ts and
 * server.ts). `pulumi up` analyzes each resource again with known inputs before it is created.
 * A stack policy checks many resources: one unknown must not hide a violation elsewhere, so each item
 * is checked on its own and the first unknown is rethrown once all were seen.
 */
import * as crossGuard from "@pulumi/policy";

/** Exported by @pulumi/policy at run time (index.js), though proxy.d.ts strips its declaration. */
export const UnknownValueError = (
  crossGuard as unknown as { UnknownValueError: new (...args: never[]) => Error }
).UnknownValueError;

export class Unknowns {
  private first: Error | undefined;

  /** Runs `check` on every item; an item that reads an unknown value is skipped and remembered. */
  each<T>(items: Iterable<T>, check: (item: T) => void): void {
    for (const item of items) this.ifKnown(() => check(item));
  }

  /** `read()`, or undefined (remembered) when it touches a value not known yet. */
  ifKnown<R>(read: () => R): R | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof UnknownValueError)) throw error;
      this.first ??= error;
      return undefined;
    }
  }

  /** Ends a policy: if anything was unknown, CrossGuard learns it could not check everything. */
  done(): void {
    if (this.first) throw this.first;
  }
}

/** Checks every item, then rethrows the first unknown value met, if any. */
export function checkEach<T>(items: Iterable<T>, check: (item: T) => void): void {
  const unknowns = new Unknowns();
  unknowns.each(items, check);
  unknowns.done();
}
