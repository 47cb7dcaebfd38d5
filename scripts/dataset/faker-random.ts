// The base locale holds no locale data: it loads in ~35 ms where the package root, with every
// locale, takes ~270 ms (over a second through tsx).
import { faker } from '@faker-js/faker/locale/base';
import type { Random } from './random';

/**
 * A Random backed by faker's seeded Mersenne Twister. Whole numbers are scaled from
 * `faker.number.float()` (a uniform draw in [0, 1)) rather than asked of `faker.number.int`, whose
 * option handling costs more than the draw itself at millions of calls.
 *
 * faker is ESM-only, which jest cannot load, so this is the only module that imports it; everything
 * else takes a Random.
 */
export function seededFakerRandom(seed: number): Random {
  faker.seed(seed);
  const unit = () => faker.number.float();
  const int = (min: number, max: number) => min + Math.floor(unit() * (max - min + 1));
  return {
    int,
    unit,
    pick: (choices) => choices[int(0, choices.length - 1)],
  };
}
