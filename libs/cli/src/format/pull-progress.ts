import type { daemon } from '@berth/proto';
import type { CliOutput } from '../io';
import { ProgressLines } from './progress-lines';
import { goFormatG } from './size';

const BAR_WIDTH = 50;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

// go-units HumanSize (4 significant digits), as docker's progress bar prints sizes.
export function progressSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    unit += 1;
  }
  return `${goFormatG(size, 4)}${DECIMAL_UNITS[unit]}`;
}

// docker's JSONProgress.String(): `[=====>      ]  1.2MB/3.4MB`.
export function progressBar(current: number, total: number): string {
  if (total <= 0) return `${progressSize(current)}`.padStart(8);
  const filled = Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * current) / total));
  const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}] ${progressSize(current).padStart(8)}/${progressSize(total)}`;
}

const STATUS_TEXT: Record<string, string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  complete: 'Pull complete',
  exists: 'Already exists',
};

/*
 * Draws a pull as docker does. On a terminal each layer keeps one line that is redrawn in place
 * (cursor up, clear, rewrite, cursor back down); elsewhere each change of a layer's status is
 * one plain line, and byte counts are not repeated. "Already exists" lines are held back until
 * something is fetched, so an image that is up to date prints none, as docker's does.
 */
export class PullRenderer {
  private readonly lines: ProgressLines;
  private held: Array<{ id: string; text: string }> = [];
  private announced = new Set<string>();

  constructor(out: CliOutput, tty: boolean) {
    this.lines = new ProgressLines(out, tty);
  }

  event(message: daemon.PullImageProgress): void {
    const event = message.event;
    if (event?.$case === 'resolved') {
      // docker says "Pulling fs layer" for every layer it is about to fetch; the store reports
      // those as "waiting" first, so the first "waiting" of a layer is shown that way.
      return;
    }
    if (event?.$case !== 'layer') return;
    const { id, status, current, total } = event.value;
    if (status === 'exists') {
      this.held.push({ id, text: STATUS_TEXT.exists! });
      return;
    }
    this.flushHeld();
    if (status === 'waiting' && !this.announced.has(id)) {
      this.announced.add(id);
      this.set(id, 'Pulling fs layer');
      this.set(id, 'Waiting');
      return;
    }
    if (status === 'complete') {
      const last = this.lines.lastStatus(id);
      if (last?.startsWith('Downloading') || last === 'Verifying Checksum') this.set(id, 'Download complete');
      this.set(id, STATUS_TEXT.complete!);
      return;
    }
    if (status === 'verifying') {
      this.set(id, STATUS_TEXT.verifying!);
      this.set(id, 'Download complete');
      return;
    }
    const text = STATUS_TEXT[status] ?? status;
    if (status === 'downloading' && this.lines.tty) this.set(id, `${text} ${progressBar(current, total)}`);
    else this.set(id, text);
  }

  // Called once the pull has ended; `upToDate` drops the held "Already exists" lines.
  finish(upToDate: boolean): void {
    if (!upToDate) this.flushHeld();
    this.held = [];
  }

  private flushHeld(): void {
    for (const { id, text } of this.held) this.set(id, text);
    this.held = [];
  }

  private set(id: string, text: string): void {
    this.lines.set(id, text);
  }
}
