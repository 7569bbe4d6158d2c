import { invalidArgument } from '@berth/errors';
import type { SeccompAction, SeccompOperator, LinuxSeccompArg } from './oci-types';

// Docker's seccomp profile format (moby/profiles/seccomp): an OCI seccomp section whose rules
// may be conditional on capabilities, architectures and kernel version.

export interface SeccompFilter {
  caps?: string[];
  // Architectures in libseccomp's native spelling: amd64, x86, x32, arm64, arm, s390x...
  arches?: string[];
  // "<kernel>.<major>", e.g. "4.8".
  minKernel?: string;
}

export interface DockerSeccompRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompArchMapEntry {
  architecture: string;
  subArchitectures: string[];
}

export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: SeccompArchMapEntry[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls: DockerSeccompRule[];
}

const ACTIONS: readonly SeccompAction[] = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
];
const OPERATORS: readonly SeccompOperator[] = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
];

type Json = Record<string, unknown>;

// Parses and checks a profile as docker's `--security-opt seccomp=FILE` takes it. Fields docker
// ignores (comment, errno names) are accepted; anything runc would choke on is refused here with
// the path of the offending field.
export function parseDockerSeccompProfile(json: string): DockerSeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw invalidArgument(`invalid seccomp profile: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = object(raw, 'profile');
  if (root.architectures !== undefined && root.archMap !== undefined) {
    throw invalidArgument("invalid seccomp profile: both 'architectures' and 'archMap' are specified, use either");
  }
  const syscalls = optionalArray(root.syscalls, 'syscalls') ?? [];
  const profile: DockerSeccompProfile = {
    defaultAction: action(root.defaultAction, 'defaultAction'),
    syscalls: syscalls.map((rule, i) => parseRule(rule, `syscalls[${i}]`)),
  };
  assign(profile, 'defaultErrnoRet', optionalErrno(root.defaultErrnoRet, 'defaultErrnoRet'));
  assign(profile, 'architectures', optionalStrings(root.architectures, 'architectures'));
  assign(profile, 'flags', optionalStrings(root.flags, 'flags'));
  assign(profile, 'listenerPath', optionalString(root.listenerPath, 'listenerPath'));
  assign(profile, 'listenerMetadata', optionalString(root.listenerMetadata, 'listenerMetadata'));
  const archMap = optionalArray(root.archMap, 'archMap');
  if (archMap) profile.archMap = archMap.map((entry, i) => parseArchMapEntry(entry, `archMap[${i}]`));
  return profile;
}

function parseRule(raw: unknown, where: string): DockerSeccompRule {
  const rule = object(raw, where);
  const names = optionalStrings(rule.names, `${where}.names`);
  const name = optionalString(rule.name, `${where}.name`);
  if (names && names.length > 0 && name) fail(`${where}: both 'name' and 'names' are specified, use either`);
  const allNames = name ? [name] : (names ?? []);
  if (allNames.length === 0) fail(`${where}: no syscall names`);
  const parsed: DockerSeccompRule = { names: allNames, action: action(rule.action, `${where}.action`) };
  assign(parsed, 'errnoRet', optionalErrno(rule.errnoRet, `${where}.errnoRet`));
  const args = optionalArray(rule.args, `${where}.args`);
  if (args && args.length > 0) parsed.args = args.map((arg, i) => parseArg(arg, `${where}.args[${i}]`));
  assign(parsed, 'comment', optionalString(rule.comment, `${where}.comment`));
  assign(parsed, 'includes', optionalFilter(rule.includes, `${where}.includes`));
  assign(parsed, 'excludes', optionalFilter(rule.excludes, `${where}.excludes`));
  return parsed;
}

function parseArg(raw: unknown, where: string): LinuxSeccompArg {
  const arg = object(raw, where);
  const index = integer(arg.index, `${where}.index`);
  if (index > 5) fail(`${where}.index: ${index} is beyond the 6 syscall arguments`);
  const op = arg.op;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
    fail(`${where}.op: unknown operator ${JSON.stringify(op)}`);
  }
  const parsed: LinuxSeccompArg = { index, value: integer(arg.value, `${where}.value`), op: op as SeccompOperator };
  if (arg.valueTwo !== undefined && arg.valueTwo !== 0) parsed.valueTwo = integer(arg.valueTwo, `${where}.valueTwo`);
  return parsed;
}

function optionalFilter(raw: unknown, where: string): SeccompFilter | undefined {
  if (raw === undefined || raw === null) return undefined;
  const filter = object(raw, where);
  const parsed: SeccompFilter = {};
  const caps = optionalStrings(filter.caps, `${where}.caps`);
  if (caps && caps.length > 0) parsed.caps = caps;
  const arches = optionalStrings(filter.arches, `${where}.arches`);
  if (arches && arches.length > 0) parsed.arches = arches;
  const minKernel = optionalString(filter.minKernel, `${where}.minKernel`);
  if (minKernel) {
    if (!/^\d+\.\d+$/.test(minKernel) || /^0+\.0+$/.test(minKernel)) {
      fail(`${where}.minKernel: invalid kernel version ${JSON.stringify(minKernel)}, expected "<kernel>.<major>"`);
    }
    parsed.minKernel = minKernel;
  }
  return Object.keys(parsed).length > 0 ? parsed : undefined;
}

function parseArchMapEntry(raw: unknown, where: string): SeccompArchMapEntry {
  const entry = object(raw, where);
  const architecture = optionalString(entry.architecture, `${where}.architecture`);
  if (!architecture) fail(`${where}.architecture: missing`);
  return { architecture, subArchitectures: optionalStrings(entry.subArchitectures, `${where}.subArchitectures`) ?? [] };
}

function action(raw: unknown, where: string): SeccompAction {
  if (typeof raw !== 'string' || !(ACTIONS as readonly string[]).includes(raw)) {
    fail(`${where}: unknown action ${JSON.stringify(raw)}`);
  }
  return raw as SeccompAction;
}

function object(raw: unknown, where: string): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where}: expected an object`);
  return raw as Json;
}

function optionalArray(raw: unknown, where: string): unknown[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) fail(`${where}: expected an array`);
  return raw;
}

function optionalStrings(raw: unknown, where: string): string[] | undefined {
  const items = optionalArray(raw, where);
  if (items?.some((item) => typeof item !== 'string')) fail(`${where}: expected an array of strings`);
  return items as string[] | undefined;
}

function optionalString(raw: unknown, where: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') fail(`${where}: expected a string`);
  return raw;
}

function optionalErrno(raw: unknown, where: string): number | undefined {
  return raw === undefined || raw === null ? undefined : integer(raw, where);
}

// JSON numbers above 2^53 lose precision in JavaScript, so they are refused rather than silently
// turned into a different filter value.
function integer(raw: unknown, where: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) fail(`${where}: expected a non-negative integer`);
  if (!Number.isSafeInteger(raw)) fail(`${where}: ${raw} is too large (above 2^53)`);
  return raw;
}

function assign<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function fail(message: string): never {
  throw invalidArgument(`invalid seccomp profile: ${message}`);
}
