// docker's --filter flag value: NAME=VALUE, checked as the flag is read.
export function filterArg(value: string, previous: string[]): string[] {
  if (!value.includes('=') || value.startsWith('=')) throw new Error('bad format of filter (expected name=value)');
  return [...previous, value];
}
