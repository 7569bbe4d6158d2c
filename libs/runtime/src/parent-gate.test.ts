import { ParentGate } from './parent-gate';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ParentGate', () => {
  it('skips a removal while a create runs', async () => {
    const gate = new ParentGate();
    let finish!: () => void;
    const creating = gate.create(() => new Promise<void>((r) => (finish = r)));
    const remove = jest.fn(async () => undefined);
    await gate.removeIfIdle(remove);
    expect(remove).not.toHaveBeenCalled();
    finish();
    await creating;
    await gate.removeIfIdle(remove);
    expect(remove).toHaveBeenCalledTimes(1);
  });

  it('holds a create back until a running removal is done, even a failed one', async () => {
    const gate = new ParentGate();
    let fail!: (err: Error) => void;
    const removal = gate.removeIfIdle(() => new Promise<void>((_, reject) => (fail = reject)));
    const order: string[] = [];
    const creating = gate.create(async () => void order.push('create'));
    await tick();
    expect(order).toEqual([]);
    fail(new Error('busy'));
    await expect(removal).rejects.toThrow('busy');
    await creating;
    expect(order).toEqual(['create']);
  });
});
