import { planRemoval, type RemovalFacts } from './remove-plan';

const ID = `sha256:${'a'.repeat(64)}`;
const TAG = 'docker.io/library/busybox:latest';
const OTHER = 'docker.io/library/busybox:1';
const ELSEWHERE = 'docker.io/alice/app:v1';
const DIGEST = `docker.io/library/busybox@sha256:${'d'.repeat(64)}`;
const stopped = { id: 'c'.repeat(64), running: false };
const running = { id: 'e'.repeat(64), running: true };

const facts = (over: Partial<RemovalFacts>): RemovalFacts => ({ id: ID, tags: [TAG], digests: [], typed: 'busybox', force: false, containers: [], ...over });

describe('docker rmi rules', () => {
  it('by name: untags one of several tags, and deletes with the last (digests of its repository too)', () => {
    expect(planRemoval(facts({ tags: [TAG, OTHER], byName: TAG }))).toEqual({ untag: [TAG], deleteImage: false });
    expect(planRemoval(facts({ tags: [TAG], digests: [DIGEST], byName: TAG }))).toEqual({ untag: [TAG, DIGEST], deleteImage: true });
    expect(planRemoval(facts({ tags: [TAG, ELSEWHERE], digests: [DIGEST], byName: TAG }))).toEqual({ untag: [TAG, DIGEST], deleteImage: false });
    // By digest: that reference alone, and the image when nothing else names it.
    expect(planRemoval(facts({ tags: [TAG], digests: [DIGEST], byName: DIGEST }))).toEqual({ untag: [DIGEST], deleteImage: false });
    expect(planRemoval(facts({ tags: [], digests: [DIGEST], byName: DIGEST }))).toEqual({ untag: [DIGEST], deleteImage: true });
  });

  it('by name: refuses the last reference of an image a container uses unless forced; a running one keeps it', () => {
    expect(() => planRemoval(facts({ byName: TAG, containers: [stopped] }))).toThrow(
      `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image aaaaaaaaaaaa`,
    );
    expect(planRemoval(facts({ byName: TAG, containers: [running], force: true }))).toEqual({ untag: [TAG], deleteImage: false });
    expect(planRemoval(facts({ byName: TAG, containers: [stopped], force: true }))).toEqual({ untag: [TAG], deleteImage: true });
    expect(planRemoval(facts({ tags: [TAG, OTHER], byName: TAG, containers: [stopped] }))).toEqual({ untag: [TAG], deleteImage: false });
  });

  it('by ID: refuses several repositories or a stopped container unless forced, a running one always', () => {
    expect(() => planRemoval(facts({ tags: [TAG, ELSEWHERE] }))).toThrow('conflict: unable to delete aaaaaaaaaaaa (must be forced) - image is referenced in multiple repositories');
    expect(() => planRemoval(facts({ tags: [TAG, OTHER] }))).toThrow('referenced in multiple repositories');
    expect(planRemoval(facts({ tags: [TAG, ELSEWHERE], force: true }))).toEqual({ untag: [TAG, ELSEWHERE], deleteImage: true });
    expect(() => planRemoval(facts({ containers: [stopped] }))).toThrow('conflict: unable to delete aaaaaaaaaaaa (must be forced) - image is being used by stopped container cccccccccccc');
    expect(() => planRemoval(facts({ containers: [running], force: true }))).toThrow(
      'conflict: unable to delete aaaaaaaaaaaa (cannot be forced) - image is being used by running container eeeeeeeeeeee',
    );
    expect(planRemoval(facts({ containers: [stopped], force: true }))).toEqual({ untag: [TAG], deleteImage: true });
    expect(planRemoval(facts({ tags: [], digests: [DIGEST] }))).toEqual({ untag: [DIGEST], deleteImage: true });
    expect(planRemoval(facts({ tags: [] }))).toEqual({ untag: [], deleteImage: true });
  });
});
