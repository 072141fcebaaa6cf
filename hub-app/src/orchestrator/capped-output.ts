/**
 * Collects a command's output up to a byte cap, then drops the rest and remembers that it did.
 * Every orchestrator captures stdout and stderr through this, so truncation behaves the same everywhere.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const room = this.maxBytes - this.kept;
    if (bytes.length > room) this.dropped = true;
    if (room <= 0) return;
    const part = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.dropped;
  }

  /** UTF-8 text; a multi-byte character cut at the cap becomes U+FFFD rather than an error. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
