import { readFile } from 'node:fs/promises';
import { internal } from '@berth/errors';
import { parseDockerSeccompProfile, type DockerSeccompProfile, type SeccompChoice } from '@berth/oci-spec';

// Debian's containers-common ships docker's default profile here.
export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

// Turns Security.seccomp_profile ("" = default, "unconfined", or profile JSON) into the spec
// builder's choice. The default profile is read once, on first use.
export class SeccompProfiles {
  private defaultProfile: Promise<DockerSeccompProfile> | undefined;

  constructor(readonly defaultProfilePath: string = DEFAULT_SECCOMP_PROFILE) {}

  async choose(requested: string): Promise<SeccompChoice> {
    if (requested === 'unconfined') return { mode: 'unconfined' };
    if (requested !== '') return { mode: 'custom', profile: parseDockerSeccompProfile(requested) };
    return { mode: 'default', profile: await this.loadDefault() };
  }

  private loadDefault(): Promise<DockerSeccompProfile> {
    this.defaultProfile ??= readFile(this.defaultProfilePath, 'utf8').then(parseDockerSeccompProfile, (err: unknown) => {
      this.defaultProfile = undefined;
      throw internal(`cannot read the default seccomp profile ${this.defaultProfilePath}`, err);
    });
    return this.defaultProfile;
  }
}
