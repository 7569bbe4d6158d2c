import { randomInt } from 'node:crypto';
import { invalidArgument } from '@berth/errors';

// docker's rule for container names.
const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateContainerName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, '');
}

// Berth's own word lists: harbour and sea words, in docker's adjective_noun shape.
const ADJECTIVES = [
  'amber', 'brave', 'calm', 'clever', 'crisp', 'daring', 'eager', 'fair', 'fond', 'gentle', 'glad',
  'golden', 'hardy', 'keen', 'kind', 'lively', 'lucid', 'merry', 'mellow', 'nimble', 'noble', 'patient',
  'proud', 'quick', 'quiet', 'rapid', 'salty', 'serene', 'sharp', 'silver', 'steady', 'stoic', 'sunny',
  'swift', 'tidy', 'trusty', 'vivid', 'wise', 'witty', 'zesty',
];
const NOUNS = [
  'anchor', 'barge', 'beacon', 'buoy', 'capstan', 'cargo', 'cove', 'current', 'dinghy', 'dock', 'ferry',
  'fjord', 'galley', 'gull', 'harbor', 'hull', 'inlet', 'jetty', 'keel', 'lagoon', 'lantern', 'mast',
  'mooring', 'oar', 'pier', 'pilot', 'quay', 'reef', 'rudder', 'sail', 'schooner', 'skiff', 'slip',
  'sloop', 'tide', 'tug', 'wake', 'wharf', 'yawl', 'zephyr',
];

export function generateName(isTaken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)] as string;
    const noun = NOUNS[randomInt(NOUNS.length)] as string;
    const name = attempt < 10 ? `${adjective}_${noun}` : `${adjective}_${noun}${randomInt(10)}`;
    if (!isTaken(name)) return name;
  }
  return `berth_${randomInt(1_000_000)}`;
}
