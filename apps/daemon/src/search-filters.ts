import { invalidArgument } from '@berth/errors';
import type { SearchResult } from '@berth/registry-client';

const invalid = (filter: string): Error => invalidArgument(`invalid filter '${filter}'`);

function parseBool(filter: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw invalid(filter);
}

// docker search's filters, as its daemon applies them: is-official and is-automated keep only
// results that are (true) or are not (false); stars keeps those with at least the largest N given.
export function searchFilter(filters: readonly string[]): (result: SearchResult) => boolean {
  let official: boolean | undefined;
  let automated: boolean | undefined;
  let stars = 0;
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    const name = eq < 0 ? filter : filter.slice(0, eq);
    const value = eq < 0 ? '' : filter.slice(eq + 1);
    switch (name) {
      case 'is-official':
        official = parseBool(filter, value);
        break;
      case 'is-automated':
        automated = parseBool(filter, value);
        break;
      case 'stars':
        if (!/^\d{1,9}$/.test(value)) throw invalid(filter);
        stars = Math.max(stars, Number(value));
        break;
      default:
        throw invalid(name);
    }
  }
  return (r) => (official === undefined || r.isOfficial === official) && (automated === undefined || r.isAutomated === automated) && r.starCount >= stars;
}
