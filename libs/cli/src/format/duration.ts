// docker's go-units HumanDuration: the words `docker ps` uses for CREATED and STATUS.
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Go rounds half away from zero here (time.Duration.Round), not down like the lines above.
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

// "5 seconds ago" from an RFC 3339 time; empty when the time is unknown.
export function timeAgo(rfc3339: string, now: number = Date.now()): string {
  const at = parseTime(rfc3339);
  return at === undefined ? '' : `${humanDuration(Math.max(0, now - at))} ago`;
}

export function parseTime(rfc3339: string): number | undefined {
  if (rfc3339 === '' || rfc3339.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? undefined : ms;
}
