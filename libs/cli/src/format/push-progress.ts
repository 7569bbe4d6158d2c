import type { daemon } from '@berth/proto';
import type { CliOutput } from '../io';
import { ProgressLines } from './progress-lines';
import { progressBar } from './pull-progress';

const STATUS_TEXT: Record<string, string> = {
  preparing: 'Preparing',
  waiting: 'Waiting',
  pushing: 'Pushing',
  pushed: 'Pushed',
  exists: 'Layer already exists',
};

// Draws a push as docker does: Preparing, Waiting, Pushing (with a bar on a terminal), then
// Pushed, Layer already exists or Mounted from REPO for each layer.
export class PushRenderer {
  private readonly lines: ProgressLines;

  constructor(out: CliOutput, tty: boolean) {
    this.lines = new ProgressLines(out, tty);
  }

  event(message: daemon.PushImageProgress): void {
    const event = message.event;
    if (event?.$case !== 'layer') return;
    const { id, status, current, total, from } = event.value;
    if (status === 'mounted') this.lines.set(id, `Mounted from ${from}`);
    else if (status === 'pushing' && this.lines.tty) this.lines.set(id, `Pushing ${progressBar(current, total)}`);
    else this.lines.set(id, STATUS_TEXT[status] ?? status);
  }
}
