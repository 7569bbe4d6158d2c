import { ALL_CAPABILITIES, normalizeCapabilities } from './capabilities';
import {
  defaultDeviceRules,
  defaultMaskedPaths,
  defaultMounts,
  defaultNamespaces,
  defaultNetworkSysctls,
  defaultReadonlyPaths,
  privilegedDeviceRules,
} from './defaults';
import { defaultEnv } from './env';
import type { SpecInput } from './input';
import type { LinuxSeccomp, OciLinux, OciMount, OciProcess, OciSpec } from './oci-types';
import { toLinuxResources } from './resources';
import { toPosixRlimits } from './rlimits';
import { toOciSeccomp } from './seccomp';
import { validateSpecInput } from './validate-input';

export const OCI_VERSION = '1.0.2';

// The config.json docker would write for this container (moby's createSpec, limited to the
// options Berth supports). Pure: everything host-specific arrives in the input.
export function buildSpec(input: SpecInput): OciSpec {
  validateSpecInput(input);
  const capabilities = normalizeCapabilities(
    input.capAdd,
    input.capDrop,
    input.privileged,
    input.hostCapabilities ?? ALL_CAPABILITIES,
  );
  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: buildProcess(input, capabilities),
    root: { path: input.rootfsPath, readonly: input.readOnlyRootfs },
    mounts: buildMounts(input),
    linux: buildLinux(input, capabilities),
  };
  if (input.hostname) spec.hostname = input.hostname;
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}

function buildProcess(input: SpecInput, capabilities: string[]): OciProcess {
  const { uid, gid, additionalGids } = input.user;
  const ociProcess: OciProcess = {
    terminal: input.tty,
    user: { uid, gid, additionalGids: [...new Set([gid, ...additionalGids])] },
    args: [...input.args],
    env: defaultEnv(input.env, input.tty, input.hostname),
    cwd: input.cwd,
    // The same set whatever the uid, as docker does: for a non-root user the kernel clears
    // permitted/effective at execve, leaving only the bounding set.
    capabilities: {
      bounding: [...capabilities],
      effective: [...capabilities],
      permitted: [...capabilities],
      inheritable: [],
      ambient: [],
    },
    rlimits: toPosixRlimits(input.rlimits),
    noNewPrivileges: input.noNewPrivileges,
    oomScoreAdj: 0,
  };
  if (input.tty && input.consoleSize) ociProcess.consoleSize = { ...input.consoleSize };
  return ociProcess;
}

function buildMounts(input: SpecInput): OciMount[] {
  const mounts = defaultMounts(input.shmSizeBytes);
  if (input.privileged) {
    // Privileged containers get a writable /sys and cgroup tree (moby WithMounts).
    for (const mount of mounts) {
      if (mount.type === 'sysfs' || mount.type === 'cgroup') mount.options = mount.options.filter((o) => o !== 'ro');
    }
  }
  return [...mounts, ...(input.extraMounts ?? []).map((mount) => ({ ...mount, options: [...mount.options] }))];
}

function buildLinux(input: SpecInput, capabilities: string[]): OciLinux {
  const privateNetwork = input.networkMode !== 'host';
  const linux: OciLinux = {
    namespaces: defaultNamespaces(privateNetwork),
    devices: input.privileged ? input.hostDevices.map((device) => ({ ...device })) : [],
    cgroupsPath: input.cgroupsPath,
    resources: {
      devices: input.privileged ? privilegedDeviceRules() : defaultDeviceRules(),
      ...toLinuxResources(input.resources, {
        ...(input.swapLimitSupported === undefined ? {} : { swapLimitSupported: input.swapLimitSupported }),
        ...(input.hostCpus === undefined ? {} : { hostCpus: input.hostCpus }),
      }),
    },
    maskedPaths: input.privileged ? [] : defaultMaskedPaths(),
    readonlyPaths: input.privileged ? [] : defaultReadonlyPaths(),
  };
  const sysctl = { ...(privateNetwork ? defaultNetworkSysctls() : {}), ...input.sysctls };
  if (Object.keys(sysctl).length > 0) linux.sysctl = sysctl;
  const seccomp = seccompFor(input, capabilities);
  if (seccomp) linux.seccomp = seccomp;
  return linux;
}

// Docker: unconfined means none, privileged drops the default profile but keeps a custom one,
// and the default profile answers EPERM to anything it does not list.
function seccompFor(input: SpecInput, capabilities: string[]): LinuxSeccomp | undefined {
  const choice = input.seccomp;
  if (choice.mode === 'unconfined' || (choice.mode === 'default' && input.privileged)) return undefined;
  const seccomp = toOciSeccomp(choice.profile, {
    capabilities,
    arch: input.arch ?? process.arch,
    ...(input.kernelRelease === undefined ? {} : { kernelRelease: input.kernelRelease }),
  });
  if (choice.mode === 'default') {
    seccomp.defaultAction = 'SCMP_ACT_ERRNO';
    seccomp.defaultErrnoRet = 1;
  }
  return seccomp;
}
