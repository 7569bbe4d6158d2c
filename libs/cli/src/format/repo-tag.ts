// "registry:5000/a/b:tag" to its repository and tag (the tag is after the last colon that
// follows the last slash).
export function splitRepoTag(reference: string): { repository: string; tag: string } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: '' };
}
