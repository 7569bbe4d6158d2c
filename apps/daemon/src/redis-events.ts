import Redis from 'ioredis';
import type { ContainerEvent, EventSink, Logger } from '@berth/daemon-core';

const STREAM = 'berth:events';

// Container events go to a capped Redis stream. Redis being down never blocks or fails the
// daemon: events emitted meanwhile are dropped and logged.
export class RedisEventSink implements EventSink {
  private readonly redis: Redis;

  constructor(
    socketPath: string,
    private readonly logger: Logger,
  ) {
    this.redis = new Redis({ path: socketPath, lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => {
      // ioredis reconnects by itself; the failed emits say what was lost.
    });
  }

  emit(event: ContainerEvent): void {
    const fields = ['action', event.action, 'id', event.id, 'time', new Date().toISOString(), 'attributes', JSON.stringify(event.attributes)];
    this.redis.xadd(STREAM, 'MAXLEN', '~', '10000', '*', ...fields).catch((err: unknown) => {
      this.logger.warn(`event ${event.action} ${event.id.slice(0, 12)} not recorded: ${String(err)}`);
    });
  }

  status(): string {
    return this.redis.status;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
