import { systemClock } from '../lambda-src/clock';
import { FakeClock, FakeClockLimitError } from './helpers/data-api';

// The bound is what turns a removed deadline check into a failure in seconds instead of a hung worker.
describe('FakeClock', () => {
  it('moves time only when something sleeps', async () => {
    const clock = new FakeClock(5);
    await clock.sleep(20);
    await clock.sleep(0);
    expect(clock.now()).toBe(25);
    expect(clock.sleeps).toEqual([20, 0]);
  });

  it('fails a loop that keeps sleeping without time passing', async () => {
    const clock = new FakeClock(0, { maxSleeps: 3 });
    for (let i = 0; i < 3; i++) await clock.sleep(0);
    await expect(clock.sleep(0)).rejects.toThrow(new FakeClockLimitError('4 sleeps (limit 3): the code under test does not stop waiting'));
  });

  it('fails a wait that runs past the simulated-time cap', async () => {
    const clock = new FakeClock(100, { maxElapsedMs: 60_000 });
    await clock.sleep(60_000);
    await expect(clock.sleep(1)).rejects.toBeInstanceOf(FakeClockLimitError);
  });

  it('by default allows far more than any test needs, and stops an endless loop', async () => {
    const clock = new FakeClock();
    let sleeps = 0;
    const endless = async () => {
      for (;;) {
        await clock.sleep(0);
        sleeps++;
      }
    };
    await expect(endless()).rejects.toBeInstanceOf(FakeClockLimitError);
    expect(sleeps).toBe(1000);
  });
});

describe('systemClock', () => {
  it('reads performance.now() and sleeps on a real timer', async () => {
    const before = performance.now();
    const start = systemClock.now();
    await systemClock.sleep(25);
    const slept = systemClock.now() - start;
    expect(start).toBeGreaterThanOrEqual(before);
    expect(systemClock.now()).toBeLessThanOrEqual(performance.now());
    // Node may fire a timer up to a millisecond early against performance.now().
    expect(slept).toBeGreaterThanOrEqual(24);
  });
});
