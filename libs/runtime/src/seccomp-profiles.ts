import { readFile } from 'node:fs/promises';
import { internal } from '@berth/errors';
import { parseDockerSeccompProfile, type DockerSeccompProfile, type SeccompChoice } from '@berth/oci-spec';

// Debian's containers-common ships docker's default profile here.
export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

// Custom profiles parsed, by their text; a client sending one usually sends it for every run.
const CUSTOM_CACHE_SIZE = 16;

// Turns Security.seccomp_profile ("" = default, "unconfined", or profile JSON) into the spec
// builder's choice. The default profile is read once, on first use; custom ones are parsed once
// per distinct text. The spec builder never modifies a profile, so sharing one is safe.
export class SeccompProfiles {
  private defaultProfile: Promise<DockerSeccompProfile> | undefined;
  private readonly custom = new Map<string, DockerSeccompProfile>();

  constructor(readonly defaultProfilePath: string = DEFAULT_SECCOMP_PROFILE) {}

  async choose(requested: string): Promise<SeccompChoice> {
    if (requested === 'unconfined') return { mode: 'unconfined' };
    if (requested !== '') return { mode: 'custom', profile: this.parseCustom(requested) };
    return { mode: 'default', profile: await this.loadDefault() };
  }

  private parseCustom(text: string): DockerSeccompProfile {
    let profile = this.custom.get(text);
    if (profile) {
      // Most recently used last, so the oldest is the one dropped.
      this.custom.delete(text);
    } else {
      profile = parseDockerSeccompProfile(text);
      if (this.custom.size >= CUSTOM_CACHE_SIZE) this.custom.delete(this.custom.keys().next().value as string);
    }
    this.custom.set(text, profile);
    return profile;
  }

  private loadDefault(): Promise<DockerSeccompProfile> {
    this.defaultProfile ??= readFile(this.defaultProfilePath, 'utf8').then(parseDockerSeccompProfile, (err: unknown) => {
      this.defaultProfile = undefined;
      throw internal(`cannot read the default seccomp profile ${this.defaultProfilePath}`, err);
    });
    return this.defaultProfile;
  }
}
