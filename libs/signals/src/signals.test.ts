import { parseSignal, signalName } from './signals';

describe('parseSignal', () => {
  it.each([
    ['KILL', 9],
    ['SIGKILL', 9],
    ['sigterm', 15],
    ['9', 9],
    ['RTMIN+3', 37],
  ])('%s is %d', (text, n) => expect(parseSignal(text)).toBe(n));

  it.each(['', 'NOPE', '0', '65', 'SIG'])('refuses %j', (text) => {
    expect(() => parseSignal(text)).toThrow(/invalid signal/);
  });

  it('names signals', () => expect(signalName(15)).toBe('SIGTERM'));
});
