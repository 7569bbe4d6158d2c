import { rootTag, stackLayout } from './layout';

describe('stackLayout', () => {
  it('keeps sockets of the default root under /run/berth', () => {
    expect(stackLayout().daemonSocket).toBe('/run/berth/berthd.sock');
    expect(stackLayout().cgroupParent).toBe('berth');
  });

  it('keeps two roots apart', () => {
    const a = stackLayout('/tmp/r1');
    const b = stackLayout('/tmp/r2');
    expect(a.daemonSocket).toBe('/tmp/r1/run/berthd.sock');
    expect(a.cgroupParent).not.toBe(b.cgroupParent);
    expect(a.cgroupParent).toBe(`berth-${rootTag('/tmp/r1')}`);
  });
});
