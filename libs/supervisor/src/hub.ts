import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { appEntry } from './services';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

// The Hub's entry point (apps/registry/dist/main.js), found through its workspace package beside
// the CLI's install.
export function hubEntry(): string {
  return appEntry('@berth/registry-app');
}

/*
 * Runs the Hub (its server or one admin command) in the foreground, as `berth hub ...` does:
 * stdio inherited, the signals a terminal or a supervisor sends forwarded, and the Hub's exit
 * status returned (128 + the signal's number when a signal ended it, as a shell reports it).
 */
export function runHub(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hubEntry(), ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const cleanup = (): void => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
