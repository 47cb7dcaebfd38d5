import type { Random } from './random';

/** Ids have at least six digits' worth of room, like the original sample's 1..999,999. */
const MIN_ID_SPACE = 1_000_000;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let divisor = 2; divisor * divisor <= n; divisor++) if (n % divisor === 0) return false;
  return true;
}

function smallestPrimeAtLeast(n: number): number {
  let candidate = n;
  while (!isPrime(candidate)) candidate++;
  return candidate;
}

/**
 * Unique, scattered customer ids without remembering any: stepping by a fixed stride modulo a prime P
 * visits every residue once before repeating, so ids 1 + (start + i * stride) mod P, i < count <= P,
 * are all different.
 */
export function customerIds(random: Random, count: number): () => number {
  const idSpace = smallestPrimeAtLeast(Math.max(MIN_ID_SPACE, count));
  const stride = random.int(1, idSpace - 1);
  let position = random.int(0, idSpace - 1);
  return () => {
    const id = position + 1;
    position += stride;
    if (position >= idSpace) position -= idSpace;
    return id;
  };
}
