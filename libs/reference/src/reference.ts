import { invalidArgument } from '@berth/errors';

// Docker's image reference grammar (distribution/reference), normalised the way docker does:
// `busybox` is `docker.io/library/busybox`, and a tag defaults to `latest` where one is needed.

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME = 255;

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

function invalid(detail?: string): Error {
  return invalidArgument(detail ? `invalid reference format: ${detail}` : 'invalid reference format');
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)) {
    return { domain: DEFAULT_DOMAIN, path: name.includes('/') ? name : `library/${name}` };
  }
  const domain = first === 'index.docker.io' ? DEFAULT_DOMAIN : first;
  const path = name.slice(slash + 1);
  return { domain, path: domain === DEFAULT_DOMAIN && !path.includes('/') ? `library/${path}` : path };
}

export function parseReference(input: string): Reference {
  const text = input.trim();
  if (text === '' || text !== input) throw invalid();
  // An image ID is never a name: docker refuses it rather than look for docker.io/library/<id>.
  if (/^[a-f0-9]{64}$/.test(text)) throw invalidArgument(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`invalid digest ${JSON.stringify(digest)}`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalid(`invalid tag ${JSON.stringify(tag)}`);
  }
  if (rest === '' || rest.length > MAX_NAME) throw invalid(rest === '' ? undefined : 'repository name must not be more than 255 characters');
  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) throw invalid(`invalid domain ${JSON.stringify(domain)}`);
  if (path.toLowerCase() !== path) throw invalid(`repository name (${path}) must be lowercase`);
  if (!path.split('/').every((component) => COMPONENT.test(component))) throw invalid();
  return { domain, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

// A reference that names one image: the tag defaults to latest unless a digest pins it.
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

// The short form docker shows: `busybox`, `alice/app`, `hub.example/app`.
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}

export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

// Parses and normalises to the stored form: `docker.io/library/busybox:latest`.
export function normalizeReference(input: string): string {
  return formatReference(withDefaultTag(parseReference(input)));
}

// An image ID or a prefix of one, as `images` prints them (`sha256:` optional).
export function isImageIdPrefix(text: string): boolean {
  return /^(sha256:)?[0-9a-f]{1,64}$/.test(text);
}
