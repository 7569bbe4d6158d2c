import { invalidArgument } from '@berth/errors';

// Linux signal numbers (x86_64 and arm64 agree on these).
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28,
  IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

const SIGRTMIN = 34;
const SIGRTMAX = 64;

// Accepts what docker accepts: "KILL", "SIGKILL", "sigkill", "9", "RTMIN+3".
export function parseSignal(value: string): number {
  const text = value.trim().toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= SIGRTMAX) return n;
  } else if (text in SIGNALS) {
    return SIGNALS[text] as number;
  } else {
    const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(text);
    if (rt) {
      const n = (rt[1] === 'IN' ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0);
      if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    }
  }
  throw invalidArgument(`invalid signal: ${value}`);
}

export function signalName(signal: number): string {
  const name = Object.keys(SIGNALS).find((key) => SIGNALS[key] === signal);
  return name ? `SIG${name}` : String(signal);
}
