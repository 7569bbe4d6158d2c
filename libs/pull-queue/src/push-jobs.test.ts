import type { JobBackend } from './coordinator';
import { PushCoordinator, pushJobId, type PushEvent, type PushOutcome, type PushRequest } from './push-jobs';

describe('pushJobId', () => {
  it('is one job per tag, whatever the spelling, and never holds credentials', () => {
    expect(pushJobId('127.0.0.1:5000/a/b')).toBe(pushJobId('127.0.0.1:5000/a/b:latest'));
    expect(pushJobId('127.0.0.1:5000/a/b:v1')).not.toBe(pushJobId('127.0.0.1:5000/a/b'));
    expect(pushJobId('busybox')).toMatch(/^push-[0-9a-f]{32}$/);
  });
});

describe('PushCoordinator', () => {
  it('shares one job between pushes of the same tag; late joiners see the progress so far', async () => {
    const requests: PushRequest[] = [];
    let emit: (e: PushEvent) => void = () => undefined;
    let finish: (o: PushOutcome) => void = () => undefined;
    const backend: JobBackend<PushRequest, PushEvent, PushOutcome> = {
      submit: (_id, request, onEvent) => {
        requests.push(request);
        emit = onEvent;
        return new Promise((resolve) => (finish = resolve));
      },
    };
    const pushes = new PushCoordinator(backend);
    const seen: PushEvent[] = [];
    const auth = { username: 'u', password: 'p' };
    const first = pushes.run({ reference: 'h:1/a/b', auth }, () => undefined);
    const layer: PushEvent = { type: 'layer', id: 'abc', digest: 'sha256:abc', status: 'pushing', current: 1, total: 2 };
    emit(layer);
    const second = pushes.run({ reference: 'h:1/a/b:latest' }, (e) => seen.push(e));
    finish({ ok: true, reference: 'h:1/a/b:latest', digest: 'sha256:d', imageId: 'sha256:i', size: 400 });
    await expect(first).resolves.toEqual({ reference: 'h:1/a/b:latest', digest: 'sha256:d', imageId: 'sha256:i', size: 400 });
    await expect(second).resolves.toMatchObject({ size: 400 });
    expect(requests).toEqual([{ reference: 'h:1/a/b', auth }]);
    expect(seen).toEqual([layer]);
  });
});
