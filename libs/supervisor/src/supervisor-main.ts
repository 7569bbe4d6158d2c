// Entry point of the detached supervisor process that `berth system up` starts.
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_ROOT, stackLayout } from '@berth/layout';
import { stackServices } from './services';
import { Supervisor } from './supervisor';

const { values } = parseArgs({ options: { root: { type: 'string' } } });
const layout = stackLayout(values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT);
const supervisor = new Supervisor(layout, stackServices(layout));
supervisor.start();
writeFileSync(layout.supervisorPidFile, `${process.pid}\n`);

const stop = (): void => {
  supervisor
    .stop()
    .finally(() => {
      rmSync(layout.supervisorPidFile, { force: true });
      process.exit(0);
    })
    .catch(() => process.exit(1));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.on('SIGHUP', () => undefined);
