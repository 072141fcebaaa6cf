/** IPv4 CIDR arithmetic for NetworkPolicy ipBlocks (RFC 4632), as address ranges. */

export interface Range {
  readonly first: number;
  readonly last: number;
}

/** `169.254.0.0/16` as the range of addresses it covers; undefined for anything that is not IPv4 CIDR. */
export function ipv4Range(cidr: string): Range | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

export function overlap(a: Range, b: Range): Range | undefined {
  const first = Math.max(a.first, b.first);
  const last = Math.min(a.last, b.last);
  return first <= last ? { first, last } : undefined;
}

/** Whether the union of `covers` contains every address of `target`. */
export function covered(target: Range, covers: readonly Range[]): boolean {
  let next = target.first;
  for (const range of [...covers].sort((x, y) => x.first - y.first)) {
    if (range.first > next) break;
    next = Math.max(next, range.last + 1);
    if (next > target.last) return true;
  }
  return next > target.last;
}
