import { DetachDetector } from './detach-detector';

const feed = (detector: DetachDetector, bytes: number[]) => {
  const { forward, detach } = detector.feed(Buffer.from(bytes));
  return { forward: [...forward], detach };
};

describe('DetachDetector', () => {
  it('detaches on the full sequence and forwards what came before', () => {
    expect(feed(new DetachDetector([16, 17]), [97, 16, 17, 98])).toEqual({ forward: [97], detach: true });
  });

  it('holds a partial sequence across chunks', () => {
    const detector = new DetachDetector([16, 17]);
    expect(feed(detector, [97, 16])).toEqual({ forward: [97], detach: false });
    expect(feed(detector, [17])).toEqual({ forward: [], detach: true });
  });

  it('releases held bytes when the sequence breaks', () => {
    const detector = new DetachDetector([16, 17]);
    expect(feed(detector, [16])).toEqual({ forward: [], detach: false });
    expect(feed(detector, [3])).toEqual({ forward: [16, 3], detach: false });
    expect(feed(detector, [16, 16, 17])).toEqual({ forward: [16], detach: true });
  });

  it('forwards everything without keys', () => {
    expect(feed(new DetachDetector([]), [16, 17])).toEqual({ forward: [16, 17], detach: false });
  });
});
