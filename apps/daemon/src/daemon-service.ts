import type { ContainerService } from '@berth/daemon-core';
import { invalidArgument } from '@berth/errors';
import { bidiStream, callMetadata, clientStream, firstFrame, proxyDuplex, readStream, serverStream, unary } from '@berth/grpc-kit';
import { daemon, type types } from '@berth/proto';
import type { PullCoordinator, PushCoordinator } from '@berth/pull-queue';
import type { RegistryClient } from '@berth/registry-client';
import type { ImageStoreClient } from './image-store-client';
import type { RuntimeClient } from './runtime-client';
import { hostInfo } from './host-info';
import { importImage } from './import-proxy';
import { pullImage } from './pull-stream';
import { pushImage } from './push-stream';
import { runContainer } from './run-stream';
import { login } from './login';
import { searchImages } from './search';
import { loadImages, relayArchive } from './archive-proxy';
import { diskUsage, runningContainerIds } from './disk-usage';

export const VERSION = '0.1.0';
export const API_VERSION = '1';

export interface DaemonServiceDeps {
  containers: ContainerService;
  images: ImageStoreClient;
  runtime: RuntimeClient;
  pulls: PullCoordinator;
  pushes: PushCoordinator;
  // For logins: checks credentials against registries.
  registry: RegistryClient;
  root: string;
  redisStatus: () => string;
}

const empty = (): types.Empty => ({});

// Maps DaemonService calls onto the container service and, for streams, onto the runtime shim.
export function daemonService(deps: DaemonServiceDeps): daemon.DaemonServiceServer {
  const { containers, images } = deps;
  const host = hostInfo();
  return {
    version: unary(async () => ({
      version: VERSION,
      apiVersion: API_VERSION,
      gitCommit: '',
      nodeVersion: process.version,
      os: 'linux',
      arch: host.architecture,
      kernelVersion: host.kernelVersion,
      runtimeVersion: '',
    })),
    info: unary(async () => {
      const list = await containers.list({ all: true, filters: [] });
      const count = (status: string): number => list.filter((c) => c.state?.status === status).length;
      return daemon.InfoResponse.fromPartial({
        containers: list.length,
        containersRunning: count('running'),
        containersPaused: count('paused'),
        containersStopped: list.length - count('running') - count('paused'),
        images: (await images.list(false)).length,
        serverVersion: VERSION,
        storageDriver: 'overlay2',
        cgroupDriver: 'cgroupfs',
        cgroupVersion: host.cgroupVersion,
        defaultRuntime: 'runc',
        runtimes: ['runc'],
        kernelVersion: host.kernelVersion,
        operatingSystem: host.operatingSystem,
        osType: 'linux',
        architecture: host.architecture,
        ncpu: host.ncpu,
        memTotal: host.memTotal,
        rootDir: deps.root,
        securityOptions: ['name=seccomp,profile=builtin'],
        name: '',
        redis: deps.redisStatus(),
      });
    }),

    importImage: clientStream((call) => importImage(call, images.client)),
    listImages: unary(async (request) => ({ images: await images.list(request.all, request.filters) })),
    inspectImage: unary((request) => images.get(request.reference)),
    removeImage: unary(async (request) =>
      images.remove({ reference: request.reference, force: request.force, inUse: containers.imageIdsInUse(), running: await runningContainerIds(containers) }),
    ),
    pruneImages: unary((request) => images.prune({ all: request.all, filters: request.filters, inUse: containers.imageIdsInUse() })),
    diskUsage: unary(() => diskUsage(containers, images)),
    tagImage: unary(async (request) => {
      await images.tag(request.source, request.target);
      return empty();
    }),
    pullImage: serverStream((_request, call, signal) => pullImage(deps.pulls, call, signal)),
    pushImage: serverStream((_request, call, signal) => pushImage(deps.pushes, call, signal)),
    login: unary((request) => login(deps.registry, request)),
    searchImages: unary((request) => searchImages(deps.registry, request)),
    saveImages: serverStream(async (request, call, signal) => relayArchive(images.client.save({ references: request.references }, callMetadata(true)), call, signal)),
    loadImages: clientStream((call) => loadImages(call, images.client)),
    exportContainer: serverStream(async (request, call, signal) =>
      relayArchive(images.client.exportSnapshot({ key: containers.resolve(request.id).id }, callMetadata(true)), call, signal),
    ),

    createContainer: unary((request) => containers.create(request, request.start ? { start: { start: true, holdOutput: false } } : {})),
    startContainer: unary(async (request) => {
      await containers.start(request.id);
      return empty();
    }),
    listContainers: unary(async (request) => ({ containers: await containers.list(request) })),
    inspectContainer: unary((request) => containers.inspect(request.id)),
    stopContainer: unary(async (request) => {
      await containers.stop(request);
      return empty();
    }),
    killContainer: unary(async (request) => {
      await containers.kill(request.id, request.signal);
      return empty();
    }),
    restartContainer: unary(async (request) => {
      await containers.restart(request);
      return empty();
    }),
    removeContainer: unary(async (request) => {
      await containers.remove(request.id, request.force);
      return empty();
    }),
    waitContainer: unary((request, call) => {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      return containers.wait(request.id, controller.signal);
    }),
    renameContainer: unary(async (request) => {
      await containers.rename(request.id, request.name);
      return empty();
    }),
    pauseContainer: unary(async (request) => {
      await containers.pause(request.id);
      return empty();
    }),
    unpauseContainer: unary(async (request) => {
      await containers.unpause(request.id);
      return empty();
    }),
    resizeContainer: unary(async (request) => {
      await containers.resize(request.id, request.size ?? { rows: 24, cols: 80 });
      return empty();
    }),
    top: unary((request) => containers.top(request)),

    logs: serverStream(async (request, call, signal) => {
      const record = containers.resolve(request.id);
      const upstream = deps.runtime.client.logs({ ...request, id: record.id }, callMetadata(true));
      signal.addEventListener('abort', () => upstream.cancel(), { once: true });
      for await (const entry of readStream(upstream)) {
        if (!call.write(entry)) await new Promise((resolve) => call.once('drain', resolve));
      }
    }),

    attach: bidiStream(async (call, signal) => {
      const { first, rest } = await firstFrame<types.StdioClientFrame>(call);
      if (first?.frame?.$case !== 'attach') throw invalidArgument('an attach stream must open with an AttachOpen frame');
      const record = await containers.prepareAttach(first.frame.value.id, first.frame.value.prepareStart);
      const upstream = deps.runtime.client.attach(callMetadata(true));
      upstream.write({ frame: { $case: 'attach', value: { ...first.frame.value, id: record.id, afterCreate: false } } });
      await proxyDuplex(call, rest, upstream, signal);
    }),

    runContainer: bidiStream((call, signal) => runContainer(containers, deps.runtime, call, signal)),

    exec: bidiStream(async (call, signal) => {
      const { first, rest } = await firstFrame<types.StdioClientFrame>(call);
      if (first?.frame?.$case !== 'exec') throw invalidArgument('an exec stream must open with an ExecOpen frame');
      if (first.frame.value.args.length === 0) throw invalidArgument('No exec command specified');
      const record = await containers.requireRunning(first.frame.value.id);
      const upstream = deps.runtime.client.exec(callMetadata(true));
      upstream.write({ frame: { $case: 'exec', value: { ...first.frame.value, id: record.id } } });
      await proxyDuplex(call, rest, upstream, signal);
    }),
  };
}

