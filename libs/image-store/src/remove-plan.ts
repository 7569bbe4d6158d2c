import { conflict } from '@berth/errors';
import { parseReference, repositoryName } from '@berth/reference';

export interface RemovalFacts {
  id: string;
  // Normalised `name:tag` references to the image.
  tags: string[];
  // Normalised `name@sha256:...` references (where it was pulled from).
  digests: string[];
  // The normalised reference the user named, or undefined when given by ID.
  byName?: string;
  // What the user typed, for docker's messages.
  typed: string;
  force: boolean;
  containers: { id: string; running: boolean }[];
}

export interface RemovalPlan {
  // References to take away, in docker's order (the named tag first).
  untag: string[];
  deleteImage: boolean;
}

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
const repoOf = (ref: string): string => repositoryName(parseReference(ref));

// docker's isSingleReference: one tag, with digest references only in its repository.
function isSingleReference(tags: string[], digests: string[]): boolean {
  if (tags.length > 1) return false;
  const repo = tags[0] === undefined ? (digests[0] === undefined ? undefined : repoOf(digests[0])) : repoOf(tags[0]);
  return repo !== undefined && digests.every((d) => repoOf(d) === repo);
}

/*
 * docker rmi's rules (its daemon's imageDelete), as a plan:
 * - by name: untag it (and the digest references of its repository when no other tag of that
 *   repository remains); the image itself goes only when no reference is left: refused then
 *   while a container uses it unless -f, and a running container keeps it even with -f;
 * - by ID: refused while several repositories name it or a stopped container uses it, unless
 *   -f; never while a running container uses it; otherwise every reference and the image go.
 */
export function planRemoval(facts: RemovalFacts): RemovalPlan {
  const { id, tags, digests, byName, typed, force, containers } = facts;
  const running = containers.find((c) => c.running);
  const stopped = containers.find((c) => !c.running);
  const untag: string[] = [];
  let remainingTags = tags;
  let remainingDigests = digests;
  if (byName !== undefined) {
    const user = containers[0];
    if (!force && isSingleReference(tags, digests) && user !== undefined) {
      throw conflict(`conflict: unable to remove repository reference "${typed}" (must force) - container ${short(user.id)} is using its referenced image ${short(id)}`);
    }
    untag.push(byName);
    remainingTags = tags.filter((t) => t !== byName);
    remainingDigests = digests.filter((d) => d !== byName);
    // With the last tag of a repository go its digest references (not with one digest).
    const repo = repoOf(byName);
    if (tags.includes(byName) && !remainingTags.some((t) => repoOf(t) === repo)) {
      untag.push(...remainingDigests.filter((d) => repoOf(d) === repo));
      remainingDigests = remainingDigests.filter((d) => repoOf(d) !== repo);
    }
    if (remainingTags.length + remainingDigests.length > 0) return { untag, deleteImage: false };
    // Now dangling: a running container keeps it quietly, a stopped one only without -f.
    return { untag, deleteImage: running === undefined && (containers.length === 0 || force) };
  }
  if (running !== undefined) throw conflict(`conflict: unable to delete ${short(id)} (cannot be forced) - image is being used by running container ${short(running.id)}`);
  const single = isSingleReference(tags, digests);
  if (!force && !single && tags.length + digests.length > 0) {
    throw conflict(`conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`);
  }
  if (!force && stopped !== undefined) throw conflict(`conflict: unable to delete ${short(id)} (must be forced) - image is being used by stopped container ${short(stopped.id)}`);
  // A forced image goes; the layers its containers stand on stay with them (see ImageStore).
  return { untag: [...tags, ...digests], deleteImage: true };
}

