import { z } from "zod";

/**
 * Zod fields for environment variables whose error messages name the variable and what is
 * allowed, so a bad value stops the start with a message a person can act on.
 */

interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/** A number from the environment; absent or empty means `fallback`. */
export function numberEnv(name: string, range: NumberRange, fallback: number) {
  const allowed = `${range.integer ? "an integer" : "a number"} from ${range.min} to ${range.max}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return fallback;
      const value = Number(raw);
      const valid =
        Number.isFinite(value) &&
        (!range.integer || Number.isInteger(value)) &&
        value >= range.min &&
        value <= range.max;
      if (valid) return value;
      ctx.issues.push({ code: "custom", input: raw, message: `${name} must be ${allowed} (got "${raw}")` });
      return z.NEVER;
    });
}

/** One of a fixed set of words; absent or empty means `fallback`. */
export function choiceEnv<const T extends readonly [string, ...string[]]>(
  name: string,
  choices: T,
  fallback: T[number],
) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (raw === undefined || raw.trim() === "") return fallback;
      if ((choices as readonly string[]).includes(raw)) return raw;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `${name} must be one of ${choices.join(", ")} (got "${raw}")`,
      });
      return z.NEVER;
    });
}

/** Free text; absent or empty becomes undefined. */
export function optionalTextEnv() {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === "" ? undefined : raw));
}

/** `a`, `b` or `c`: words as the docs list them (`conjunction` "or" or "and"). */
export function wordList(words: readonly string[], conjunction: "or" | "and"): string {
  const quoted = words.map((word) => `\`${word}\``);
  return quoted.length < 2
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted.at(-1)}`;
}

/** Joins zod issues into one message; each names its variable. */
export function describeEnvIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const variable = issue.path.join(".");
      return variable && !issue.message.includes(variable) ? `${variable}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
