/** IPv4 CIDR checks for config: the shape alone lets 999.1.2.3/99 and 10.0.0.5/16 through to AWS. */

/** Why `value` is not an IPv4 CIDR with its host bits zero, or undefined when it is. */
export function ipv4CidrProblem(value: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (match === null) return "must be an IPv4 CIDR such as 10.0.0.0/16";
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return "has an address part over 255";
  if (prefix > 32) return "has a prefix length over 32";
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    const network = address - (address % hostBits);
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `has host bits set: the network is ${dotted}/${prefix}`;
  }
  return undefined;
}

/** The prefix length of a CIDR that passed ipv4CidrProblem. */
export function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}
