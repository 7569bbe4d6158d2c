import { invalidArgument } from '@berth/errors';

export interface SecurityChoices {
  noNewPrivileges: boolean;
  // '' default profile, 'unconfined', or a profile's JSON.
  seccompProfile: string;
}

// Reads docker's --security-opt values. The client has already replaced seccomp=FILE by the
// file's contents in `seccompProfile`, as docker's CLI does.
export function parseSecurityOptions(options: readonly string[], seccompProfile: string): SecurityChoices {
  const choices: SecurityChoices = { noNewPrivileges: false, seccompProfile };
  for (const option of options) {
    const separator = option.indexOf(option.includes('=') ? '=' : ':');
    const key = separator < 0 ? option : option.slice(0, separator);
    const value = separator < 0 ? '' : option.slice(separator + 1);
    switch (key) {
      case 'no-new-privileges':
        if (value === '' || value === 'true') choices.noNewPrivileges = true;
        else if (value === 'false') choices.noNewPrivileges = false;
        else throw invalidArgument(`invalid --security-opt 2: "${option}"`);
        break;
      case 'seccomp':
        if (value === 'unconfined') choices.seccompProfile = 'unconfined';
        else if (value === '') throw invalidArgument(`invalid --security-opt 2: "${option}"`);
        else if (seccompProfile === '') choices.seccompProfile = value;
        break;
      case 'label':
      case 'apparmor':
        // Berth runs without SELinux or AppArmor; docker ignores these on such hosts too.
        break;
      default:
        throw invalidArgument(`invalid --security-opt 1: "${option}"`);
    }
  }
  if (choices.seccompProfile !== '' && choices.seccompProfile !== 'unconfined') {
    try {
      JSON.parse(choices.seccompProfile);
    } catch {
      throw invalidArgument('Decoding seccomp profile failed: invalid JSON');
    }
  }
  return choices;
}
