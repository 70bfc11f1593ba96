import { LoginBackoff, WindowCounter } from './attempt-limits';

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe(LoginBackoff.name, () => {
  it('lets a username fail freely a few times, then makes it wait 1 s, 2 s, 4 s... up to the cap', () => {
    const time = clock();
    const backoff = new LoginBackoff(3, 5, time.now);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      backoff.failed('dr.meera');
      waits.push(backoff.waitSeconds('dr.meera'));
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 5, 5]);
    expect(backoff.waitSeconds('someone.else')).toBe(0);
  });

  it('lets the username try again once the wait is over, and a success forgives the failures', () => {
    const time = clock();
    const backoff = new LoginBackoff(2, 900, time.now);
    backoff.failed('Dr.Meera ');
    backoff.failed('dr.meera');
    expect(backoff.waitSeconds('dr.meera')).toBe(1);
    time.advance(1_000);
    expect(backoff.waitSeconds('dr.meera')).toBe(0);

    backoff.succeeded('dr.meera');
    backoff.failed('dr.meera');
    expect(backoff.waitSeconds('dr.meera')).toBe(0);
  });

  it('forgets failures after a day without any', () => {
    const time = clock();
    const backoff = new LoginBackoff(2, 900, time.now);
    backoff.failed('x');
    time.advance(24 * 3600 * 1000 + 1);
    backoff.failed('x');
    expect(backoff.waitSeconds('x')).toBe(0);
  });

  it('keeps at most maxEntries usernames, dropping the oldest, so made-up names cannot fill memory', () => {
    const time = clock();
    const backoff = new LoginBackoff(1, 60, time.now, 2);
    backoff.failed('a');
    backoff.failed('b');
    backoff.failed('c');
    expect([backoff.waitSeconds('a'), backoff.waitSeconds('b'), backoff.waitSeconds('c')]).toEqual([0, 1, 1]);
  });
});

describe(WindowCounter.name, () => {
  it('refuses a key after `limit` events within the window, until the window ends', () => {
    const time = clock();
    const counter = new WindowCounter(2, 60_000, time.now);
    counter.add('10.0.0.7');
    expect(counter.retryAfterSeconds('10.0.0.7')).toBe(0);
    counter.add('10.0.0.7');
    expect(counter.retryAfterSeconds('10.0.0.7')).toBe(60);
    expect(counter.retryAfterSeconds('10.0.0.8')).toBe(0);

    time.advance(59_500);
    expect(counter.retryAfterSeconds('10.0.0.7')).toBe(1);
    time.advance(500);
    expect(counter.retryAfterSeconds('10.0.0.7')).toBe(0);
    counter.add('10.0.0.7');
    expect(counter.retryAfterSeconds('10.0.0.7')).toBe(0);
  });
});
