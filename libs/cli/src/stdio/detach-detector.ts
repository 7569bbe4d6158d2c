// Watches keystrokes for the detach sequence (ctrl-p ctrl-q by default) as docker does: bytes
// that could start the sequence are held back until it either completes or is broken.
export class DetachDetector {
  private matched = 0;

  constructor(private readonly keys: readonly number[]) {}

  // Returns the bytes to forward, and whether the sequence completed (the rest is dropped).
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched += 1;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (byte === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
