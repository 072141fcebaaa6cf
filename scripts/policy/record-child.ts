/** Child of `recordStack`: runs one stack's program under mocks (preview) and prints its resources as JSON. */
import { runStack, type StackName } from "../../test/harness/stack";
import { analyzedResources } from "./stack-record";

runStack(process.argv[2] as StackName, { preview: true }).then(
  ({ recorder }) => {
    process.stdout.write(JSON.stringify(analyzedResources(recorder.resources)), () => process.exit(0));
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
