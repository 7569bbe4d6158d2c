// Go's time.Time.String() in UTC, as docker prints CreatedAt: "2024-05-01 10:00:00 +0000 UTC".
export function goTimeString(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  return `${new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`;
}
