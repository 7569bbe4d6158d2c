import { SIGNALS, parseSignal, signalName } from './index';

describe('signals re-exported for the runtime', () => {
  it('parses names and numbers', () => {
    expect(parseSignal('KILL')).toBe(9);
    expect(parseSignal('SIGKILL')).toBe(9);
    expect(parseSignal('9')).toBe(9);
    expect(parseSignal('sigterm')).toBe(15);
    expect(() => parseSignal('SIGFOO')).toThrow('invalid signal: SIGFOO');
  });

  it('maps numbers back to names', () => {
    expect(SIGNALS.TERM).toBe(15);
    expect(signalName(9)).toBe('SIGKILL');
  });
});
