import { createRequire } from "node:module";

// package.json sits one level above both src/ (tsx) and dist/ (built), so one relative path serves both.
const packageJson = createRequire(import.meta.url)("../package.json") as { version: string };

export const HUB_VERSION: string = packageJson.version;
