/**
 * Markdown tables from zod schemas: one row per field, its default read from the schema (what it
 * parses `undefined` to, or its `defaultInWords` metadata when that is not one value) and its meaning
 * from `.describe()`. A field without a description stops the generator: the schema is the only place
 * a meaning is written.
 */
import { z } from "zod";

export interface TableRow {
  readonly name: string;
  readonly defaultText: string;
  readonly meaning: string;
}

/** How a parsed default reads in a table: environment variables are text, stack config is YAML/JSON. */
export type DefaultStyle = "env" | "json";

/** The object schema inside a field: itself, or under a default, an optional or a transform. */
export function objectSchemaIn(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return objectSchemaIn(schema.in as z.ZodType);
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional)
    return objectSchemaIn(schema.unwrap() as z.ZodType);
  return undefined;
}

/** The fields of an object schema (or of the object under a transform), by name. */
export function fieldsOf(schema: z.ZodType): Record<string, z.ZodType> {
  const object = objectSchemaIn(schema);
  if (object === undefined) throw new Error("not an object schema: its fields cannot be listed");
  return object.shape;
}

export function rowOf(name: string, field: z.ZodType, style: DefaultStyle): TableRow {
  const meaning = field.description;
  if (meaning === undefined || meaning.trim() === "")
    throw new Error(`${name} has no .describe(): say what it means in its schema`);
  return { name, defaultText: defaultTextOf(name, field, style), meaning };
}

function defaultTextOf(name: string, field: z.ZodType, style: DefaultStyle): string {
  const inWords = field.meta()?.defaultInWords;
  if (typeof inWords === "string") return inWords;
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return "(required)";
  const value: unknown = parsed.data;
  if (value === undefined) return "(none)";
  if (style === "json" && typeof value === "object") return `\`${JSON.stringify(value)}\``;
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : `\`${value.join(",")}\``;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return `\`${value}\``;
  throw new Error(`${name}: its default is not one value; give the schema .meta({ defaultInWords: "..." })`);
}

/** A table padded the way prettier pads markdown tables, so the file reads well as text. */
export function markdownTable(nameHeader: string, rows: readonly TableRow[]): string {
  const cells = [
    [nameHeader, "default", "meaning"],
    ...rows.map((row) => [`\`${row.name}\``, row.defaultText, row.meaning].map(escapeCell)),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(3, ...cells.map((line) => line[column]!.length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(" | ")} |`;
  const [header, ...body] = cells;
  return [line(header!), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Replaces what lies between `<!-- generated:<id>:start ... -->` and `<!-- generated:<id>:end -->`. */
export function replaceGenerated(text: string, id: string, content: string, file: string): string {
  const pattern = new RegExp(
    `(<!-- generated:${id}:start[^\\n]*-->\\n)[\\s\\S]*?(<!-- generated:${id}:end -->)`,
  );
  if (!pattern.test(text))
    throw new Error(`${file} has no <!-- generated:${id}:start --> ... <!-- generated:${id}:end --> markers`);
  return text.replace(pattern, (_match, start: string, end: string) => `${start}${content}\n${end}`);
}
