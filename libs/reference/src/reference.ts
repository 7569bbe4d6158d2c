import { invalidArgument } from '@berth/errors';
import { isDigest } from './digest';

/*
 * Docker image references: [DOMAIN/]PATH[:TAG][@DIGEST], normalised the way docker does it
 * (`busybox` is `docker.io/library/busybox`), with the same grammar and similar messages.
 */
export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HEX_64 = /^[a-f0-9]{64}$/;

export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

function invalidFormat(detail?: string): Error {
  return invalidArgument(detail ? `invalid reference format: ${detail}` : 'invalid reference format');
}

// Docker's rule: the first component is a registry only if it looks like a host name.
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isRegistry = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  let domain = isRegistry ? first : DEFAULT_DOMAIN;
  let remainder = isRegistry ? name.slice(slash + 1) : name;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

// Parses and normalises a reference; a missing tag stays missing (see withDefaultTag).
export function parseReference(input: string): Reference {
  if (input === '') throw invalidArgument('invalid reference format: repository name must have at least one component');
  if (HEX_64.test(input)) throw invalidArgument(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);

  const at = input.indexOf('@');
  const named = at === -1 ? input : input.slice(0, at);
  const digest = at === -1 ? undefined : input.slice(at + 1);
  if (digest !== undefined && !isDigest(digest)) {
    throw invalidFormat(`digest (${digest}) must be sha256: followed by 64 lowercase hex digits`);
  }

  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? named : named.slice(0, colon);
  const tag = colon === -1 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) {
    throw invalidFormat(`tag (${tag}) must be 1 to 128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  if (name === '') throw invalidArgument('invalid reference format: repository name must have at least one component');

  const { domain, remainder } = splitDomain(name);
  if (remainder.toLowerCase() !== remainder) throw invalidFormat(`repository name (${remainder}) must be lowercase`);
  if (!DOMAIN.test(domain)) throw invalidFormat(`registry (${domain}) is not a valid host name`);
  for (const component of remainder.split('/')) {
    if (!PATH_COMPONENT.test(component)) throw invalidFormat(`repository name (${remainder}) has an invalid component "${component}"`);
  }
  if (domain.length + 1 + remainder.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`invalid reference format: repository name must not be more than ${MAX_NAME_LENGTH} characters`);
  }
  return { domain, path: remainder, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

// A name alone gets the `latest` tag, as `docker pull busybox` does.
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

// The fully qualified string of a user's reference, with the default tag when it has none.
export function normalizeReference(input: string): string {
  return formatReference(withDefaultTag(parseReference(input)));
}

// The short name people type: `busybox`, `user/app`, `hub.example/app`.
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const official = ref.path.startsWith(OFFICIAL_REPO_PREFIX) && ref.path.split('/').length === 2;
  return official ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
}

export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

// `docker.io/library/busybox:latest` -> `busybox:latest`.
export function familiarize(reference: string): string {
  return familiarString(parseReference(reference));
}
