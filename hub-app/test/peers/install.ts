/** `.ci/run`'s step: the tests' Python peers installed (first time only); prints the virtualenv's python. */
import { peerPython } from "./python-env.js";

peerPython((line) => process.stderr.write(`${line}\n`)).then(
  (python) => process.stdout.write(`${python}\n`),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
