import type { daemon, types } from '@berth/proto';

const nullIfEmpty = <T>(list: readonly T[]): readonly T[] | null => (list.length === 0 ? null : list);
const nullIfEmptyMap = (map: Record<string, string>): Record<string, string> | null => (Object.keys(map).length === 0 ? null : map);

// `docker inspect` of a container, in the Engine API's field names.
export function containerJson(container: daemon.Container): Record<string, unknown> {
  const state = container.state;
  const config = container.config;
  const host = container.hostConfig;
  return {
    Id: container.id,
    Created: container.created,
    Path: container.path,
    Args: container.args,
    State: {
      Status: state?.status ?? '',
      Running: state?.running ?? false,
      Paused: state?.paused ?? false,
      Restarting: state?.status === 'restarting',
      OOMKilled: state?.oomKilled ?? false,
      Dead: state?.dead ?? false,
      Pid: state?.pid ?? 0,
      ExitCode: state?.exitCode ?? 0,
      Error: state?.error ?? '',
      StartedAt: state?.startedAt || '0001-01-01T00:00:00Z',
      FinishedAt: state?.finishedAt || '0001-01-01T00:00:00Z',
    },
    Image: container.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: container.logPath,
    Name: container.name.startsWith('/') ? container.name : `/${container.name}`,
    RestartCount: container.restartCount,
    Driver: container.driver,
    Platform: container.platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      NetworkMode: host?.networkMode || 'none',
      AutoRemove: host?.autoRemove ?? false,
      CapAdd: nullIfEmpty(host?.capAdd ?? []),
      CapDrop: nullIfEmpty(host?.capDrop ?? []),
      Privileged: host?.privileged ?? false,
      ReadonlyRootfs: host?.readOnlyRootfs ?? false,
      SecurityOpt: nullIfEmpty(host?.securityOpt ?? []),
      Runtime: host?.runtime || 'runc',
      CpuShares: host?.cpuShares ?? 0,
      Memory: host?.memory ?? 0,
      NanoCpus: host?.nanoCpus ?? 0,
      MemorySwap: host?.memorySwap ?? 0,
      PidsLimit: host?.pidsLimit ? host.pidsLimit : null,
    },
    Mounts: [],
    Config: {
      Hostname: config?.hostname || container.id.slice(0, 12),
      Domainname: '',
      User: config?.user ?? '',
      AttachStdin: config?.attachStdin ?? false,
      AttachStdout: config?.attachStdout ?? false,
      AttachStderr: config?.attachStderr ?? false,
      Tty: config?.tty ?? false,
      OpenStdin: config?.openStdin ?? false,
      StdinOnce: false,
      Env: nullIfEmpty(config?.env ?? []),
      Cmd: nullIfEmpty(config?.cmd ?? []),
      Image: config?.image ?? container.image,
      Volumes: null,
      WorkingDir: config?.workingDir ?? '',
      Entrypoint: config?.entrypointSet ? nullIfEmpty(config.entrypoint) : null,
      OnBuild: null,
      Labels: config?.labels ?? {},
      ...(config?.stopSignal ? { StopSignal: config.stopSignal } : {}),
      ...(config?.stopTimeout ? { StopTimeout: config.stopTimeout } : {}),
    },
    NetworkSettings: { Networks: {} },
  };
}

// `docker image inspect`, in the Engine API's field names.
export function imageJson(image: types.Image): Record<string, unknown> {
  const config = image.config;
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: '',
    Comment: image.comment,
    Created: image.created,
    DockerVersion: '',
    Author: image.author,
    Config: {
      User: config?.user ?? '',
      ...(config && config.exposedPorts.length > 0 ? { ExposedPorts: Object.fromEntries(config.exposedPorts.map((p) => [p, {}])) } : {}),
      Env: nullIfEmpty(config?.env ?? []),
      Cmd: nullIfEmpty(config?.cmd ?? []),
      Volumes: config && config.volumes.length > 0 ? Object.fromEntries(config.volumes.map((v) => [v, {}])) : null,
      WorkingDir: config?.workingDir ?? '',
      Entrypoint: nullIfEmpty(config?.entrypoint ?? []),
      Labels: nullIfEmptyMap(config?.labels ?? {}),
      ...(config?.stopSignal ? { StopSignal: config.stopSignal } : {}),
    },
    Architecture: image.architecture,
    Os: image.os,
    Size: image.size,
    RootFS: { Type: 'layers', Layers: image.diffIds },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}
