import { randomInt } from "node:crypto";

/** `cnt-` + 5-12 lowercase letters/digits ; the Hub generates 10 so ids never collide in practice. */
export const CONTAINER_ID_PATTERN = /^cnt-[a-z0-9]{5,12}$/;

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const GENERATED_ID_LENGTH = 10;

export function newContainerId(): string {
  let suffix = "";
  for (let i = 0; i < GENERATED_ID_LENGTH; i++) suffix += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return `cnt-${suffix}`;
}

export function isContainerId(value: string): boolean {
  return CONTAINER_ID_PATTERN.test(value);
}
