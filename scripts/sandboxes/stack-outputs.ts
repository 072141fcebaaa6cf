import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A stack's outputs, secrets shown (the kubeconfig is one): from a file holding what
 * `pulumi stack output --json --show-secrets` printed, or by running that command.
 */
export async function readStackOutputs(stack: string, file: string | undefined): Promise<unknown> {
  if (file !== undefined) {
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read --outputs ${file}: ${error.code ?? error.message}`);
    });
    return parse(text, file);
  }
  const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
  try {
    const { stdout } = await run("pulumi", args, { maxBuffer: 16 * 1024 * 1024 });
    return parse(stdout, `pulumi ${args.join(" ")}`);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") {
      throw new Error(
        "the Pulumi CLI is not on PATH: install it, or pass --outputs <file> with what `pulumi stack output --json --show-secrets` printed",
      );
    }
    throw new Error(`pulumi ${args.join(" ")} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

function parse(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(
      `${source} is not JSON: expected the output of \`pulumi stack output --json --show-secrets\``,
    );
  }
}
