import type { CliOutput } from '../io';

/*
 * docker's per-item progress lines (`<id>: <status>`). On a terminal each item keeps one line
 * that is redrawn in place (cursor up, clear, rewrite, cursor back down); elsewhere each change
 * is one plain line. A status equal to the item's last one is not printed again.
 */
export class ProgressLines {
  private readonly lines: string[] = [];
  private readonly last = new Map<string, string>();

  constructor(
    private readonly out: CliOutput,
    readonly tty: boolean,
  ) {}

  lastStatus(id: string): string | undefined {
    return this.last.get(id);
  }

  set(id: string, text: string): void {
    if (this.last.get(id) === text) return;
    this.last.set(id, text);
    const line = `${id}: ${text}`;
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    const index = this.lines.indexOf(id);
    if (index === -1) {
      this.lines.push(id);
      this.out.write(`${line}\n`);
      return;
    }
    const up = this.lines.length - index;
    this.out.write(`\x1b[${up}A\r\x1b[2K${line}\r\x1b[${up}B`);
  }
}
