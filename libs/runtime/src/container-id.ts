import { invalidArgument } from '@berth/errors';

// runc's own rule for container IDs; it also keeps IDs safe as file names.
const VALID_ID = /^[\w+.-]+$/;

export function validateContainerId(id: string): void {
  if (id === '') throw invalidArgument('container id must not be empty');
  if (!VALID_ID.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw invalidArgument(`invalid container id: ${JSON.stringify(id)}`);
  }
}
