import { BoundedQueue, QueueFullError } from './bounded-queue';

/** A task that runs until `release()` is called. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: () => done, release };
}

describe(BoundedQueue.name, () => {
  it('runs `concurrency` tasks at once, queues `maxWaiting` more and refuses the next at once', async () => {
    const queue = new BoundedQueue(2, 1);
    const gates = [gate(), gate(), gate()];
    const running = gates.map(({ task }) => queue.run(task));

    expect(queue.load).toEqual({ running: 2, waiting: 1 });
    await expect(queue.run(async () => 'too many')).rejects.toBeInstanceOf(QueueFullError);

    gates.forEach(({ release }) => release());
    await Promise.all(running);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });

  it('starts a waiting task when a running one ends, even one that failed, in arrival order', async () => {
    const queue = new BoundedQueue(1, 2);
    const order: string[] = [];
    const first = gate();
    const failing = queue.run(async () => {
      await first.task();
      throw new Error('boom');
    });
    const second = queue.run(async () => void order.push('second'));
    const third = queue.run(async () => void order.push('third'));

    first.release();
    await expect(failing).rejects.toThrow('boom');
    await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });

  it('with no waiting room refuses anything beyond the running tasks', async () => {
    const queue = new BoundedQueue(1, 0);
    const only = gate();
    const running = queue.run(only.task);

    await expect(queue.run(async () => 1)).rejects.toBeInstanceOf(QueueFullError);
    only.release();
    await running;
    await expect(queue.run(async () => 1)).resolves.toBe(1);
  });
});
