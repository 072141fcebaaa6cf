// Entry point of `pulumi up -s <stack>`: read and validate Pulumi.<stack>.yaml, then deploy its candidates.
import { readStackConfig } from "./stacks/config";
import { deployStack } from "./stacks/program";

export = deployStack(readStackConfig());
