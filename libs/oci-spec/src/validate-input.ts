import { invalidArgument } from '@berth/errors';
import type { SpecInput } from './input';

// runc's container id rule.
const CONTAINER_ID = /^[\w+.-]+$/;
const MAX_ID = 2 ** 32 - 2;

// Refuses input runc would reject later with a less helpful message.
export function validateSpecInput(input: SpecInput): void {
  if (!CONTAINER_ID.test(input.id)) throw invalidArgument(`invalid container id: ${JSON.stringify(input.id)}`);
  if (input.args.length === 0 || input.args[0] === '') {
    throw invalidArgument('no command specified: args must not be empty');
  }
  if (!input.cwd.startsWith('/')) {
    throw invalidArgument(`the working directory '${input.cwd}' is invalid, it needs to be an absolute path`);
  }
  if (input.rootfsPath === '') throw invalidArgument('rootfs path must not be empty');
  const ids = [input.user.uid, input.user.gid, ...input.user.additionalGids];
  if (ids.some((id) => !Number.isInteger(id) || id < 0 || id > MAX_ID)) {
    throw invalidArgument(`invalid user ids: uid ${input.user.uid}, gid ${input.user.gid}`);
  }
  if (input.networkMode !== 'none' && input.networkMode !== 'host') {
    throw invalidArgument(`unsupported network mode: ${JSON.stringify(input.networkMode)}`);
  }
  if (input.hostname.length > 64) throw invalidArgument(`hostname too long (max 64): ${input.hostname}`);
  if (input.env.some((entry) => entry.includes('\0') || entry.startsWith('='))) {
    throw invalidArgument('invalid environment variable: empty name or NUL byte');
  }
  if (input.shmSizeBytes !== undefined && (!Number.isSafeInteger(input.shmSizeBytes) || input.shmSizeBytes <= 0)) {
    throw invalidArgument(`invalid shm size: ${input.shmSizeBytes}`);
  }
}
