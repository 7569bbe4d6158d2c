import { Metadata, type Server } from '@grpc/grpc-js';
import { health } from '@berth/proto';
import { connect } from './client';
import { unary } from './server';

const { HealthCheckResponse_ServingStatus: ServingStatus } = health;

// Serves grpc.health.v1.Health; `isServing` answers for the whole process.
export function addHealthService(server: Server, isServing: () => boolean = () => true): void {
  const impl: health.HealthServer = {
    check: unary(async () => ({
      status: isServing() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING,
    })),
  };
  server.addService(health.HealthService, impl);
}

// True when the service at `address` answers SERVING within the timeout.
export async function checkHealth(address: string, timeoutMs = 1000): Promise<boolean> {
  const client = connect(health.HealthClient, address);
  try {
    const response = await new Promise<health.HealthCheckResponse>((resolve, reject) => {
      client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, res) =>
        err ? reject(err) : resolve(res),
      );
    });
    return response.status === ServingStatus.SERVING;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
