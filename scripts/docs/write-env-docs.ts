/** `npm run docs:env`: rewrites the generated tables of the docs pages from the schemas (scripts/docs/env-docs.ts). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_DOCS, renderDoc } from "./env-docs";

const root = join(__dirname, "..", "..");
for (const doc of GENERATED_DOCS) {
  const { current, generated } = renderDoc(doc, root);
  if (generated === current) {
    console.log(`${doc.file} is up to date`);
  } else {
    writeFileSync(join(root, doc.file), generated);
    console.log(`wrote ${doc.file}`);
  }
}
