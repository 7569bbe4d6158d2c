import type { daemon } from '@berth/proto';
import { parseReference } from '@berth/reference';
import type { CliContext } from '../context';
import { configDir, loadCredentials } from '../credentials-file';

// The stored credentials for the registry `reference` names, sent with pulls and pushes as
// docker sends X-Registry-Auth; undefined when there are none.
export async function authFor(ctx: CliContext, reference: string): Promise<daemon.RegistryAuth | undefined> {
  let domain: string;
  try {
    domain = parseReference(reference).domain;
  } catch {
    // A bad reference is the daemon's to refuse, with its own message.
    return undefined;
  }
  return loadCredentials(configDir(ctx.io.env), domain);
}
