// Runs a stack's program under the mock harness, loaded the way `pulumi up` loads it: @pulumi/pulumi's
// cmd/run/run.js registers ts-node (vendored 7.0.1, with the project's typescript) as CommonJS with
// tsconfig.json's compilerOptions, since package.json has no "type": "module". Prints what it recorded.
// Usage: node test/harness/pulumi-loader.cjs <stack>
const path = require("node:path");
const tsutils = require("@pulumi/pulumi/tsutils");

const root = path.join(__dirname, "..", "..");
process.chdir(root);
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  // Types are checked by `npm run typecheck` with the same tsconfig; this checks loading only.
  transpileOnly: true,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
    ...compilerOptions,
  },
});

const { runStack } = require(path.join(root, "test", "harness", "stack.ts"));
runStack(process.argv[2]).then(
  ({ recorder }) => {
    const loaded = Object.keys(require.cache).filter((file) => file.endsWith(".ts"));
    const resources = recorder.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
    process.stdout.write(JSON.stringify({ tsnode: tsnodeRequire, loaded, resources }));
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
