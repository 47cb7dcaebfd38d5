// The base locale holds no locale data: it loads in ~35 ms where the package root, with every
// locale, takes ~270 ms (over a second through tsx). The type import below costs nothing at run time.
import type { Randomizer } from '@faker-js/faker';
import { faker } from '@faker-js/faker/locale/base';
import type { Random } from './random';

/**
 * faker's own seeded Mersenne Twister. faker hands it to a `distributor` (a public option of
 * `faker.number.float`, meant for custom distributions), which is how we get hold of it: drawing from
 * it directly gives exactly what `faker.number.float()` would, without ~15 ns of option handling per
 * call, a third of the cost of a draw.
 */
function seededRandomizer(seed: number): Randomizer {
  faker.seed(seed);
  let randomizer: Randomizer | undefined;
  faker.number.float({
    distributor: (r) => {
      randomizer = r;
      return 0; // draws nothing, so the sequence starts at the seed
    },
  });
  if (!randomizer) throw new Error('faker did not pass its randomizer to the distributor');
  return randomizer;
}

/**
 * A Random backed by faker's seeded generator. faker is ESM-only, which jest cannot load, so this is
 * the only module that imports it; everything else takes a Random.
 */
export function seededFakerRandom(seed: number): Random {
  const randomizer = seededRandomizer(seed);
  return {
    int: (min, max) => min + Math.floor(randomizer.next() * (max - min + 1)),
    unit: () => randomizer.next(),
    pick: (choices) => choices[Math.floor(randomizer.next() * choices.length)],
  };
}
