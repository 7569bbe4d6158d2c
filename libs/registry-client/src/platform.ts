import { invalidArgument, notFound } from '@berth/errors';
import type { Descriptor, Platform } from './manifest';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, PlatformSpec | undefined> = {
  x86_64: { os: '', architecture: 'amd64' },
  'x86-64': { os: '', architecture: 'amd64' },
  aarch64: { os: '', architecture: 'arm64' },
  armhf: { os: '', architecture: 'arm', variant: 'v7' },
  armel: { os: '', architecture: 'arm', variant: 'v6' },
  i386: { os: '', architecture: '386' },
};

// Normalises the way containerd's platforms package does, so `linux/aarch64` and
// `linux/arm64/v8` name one platform.
export function normalizePlatform(p: PlatformSpec): PlatformSpec {
  const os = p.os.toLowerCase();
  const alias = ARCH_ALIASES[p.architecture.toLowerCase()];
  const architecture = alias?.architecture ?? p.architecture.toLowerCase();
  let variant = (p.variant ?? alias?.variant ?? '').toLowerCase();
  if (architecture === 'arm64' && (variant === '8' || variant === 'v8')) variant = '';
  if (architecture === 'arm' && /^[5-8]$/.test(variant)) variant = `v${variant}`;
  if (architecture === 'arm' && variant === '') variant = 'v7';
  if (architecture === 'amd64' && variant === 'v1') variant = '';
  return { os, architecture, ...(variant ? { variant } : {}) };
}

// `linux`, `linux/amd64`, `linux/arm/v7`.
export function parsePlatform(text: string): PlatformSpec {
  const parts = text.trim().split('/');
  if (parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) throw invalidArgument(`invalid platform ${JSON.stringify(text)}: want os[/arch[/variant]]`);
  const [os, architecture, variant] = parts as [string, string?, string?];
  const host = hostPlatform();
  return normalizePlatform({ os, architecture: architecture ?? host.architecture, ...(variant ? { variant } : architecture ? {} : host.variant ? { variant: host.variant } : {}) });
}

export function formatPlatform(p: PlatformSpec): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function goArch(nodeArch: string): string {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'ia32' ? '386' : nodeArch;
}

export function hostPlatform(): PlatformSpec {
  const architecture = goArch(process.arch);
  const armVersion = (process.config.variables as Record<string, unknown>).arm_version;
  const variant = architecture === 'arm' && armVersion !== undefined ? `v${String(armVersion)}` : undefined;
  return normalizePlatform({ os: 'linux', architecture, ...(variant ? { variant } : {}) });
}

// Which variants run on a wanted platform, best first: an arm v7 host runs v6 and v5 images too.
function acceptedVariants(want: PlatformSpec): string[] {
  const variant = want.variant ?? '';
  if (want.architecture === 'arm') {
    const n = Number(variant.slice(1));
    const out: string[] = [];
    for (let v = n; v >= 5; v--) out.push(`v${v}`);
    return out;
  }
  if (want.architecture === 'amd64' && /^v[2-4]$/.test(variant)) {
    const out: string[] = [];
    for (let v = Number(variant.slice(1)); v >= 2; v--) out.push(`v${v}`);
    return [...out, ''];
  }
  return [variant];
}

// Picks the index entry for a platform: the closest variant wins; entries without a platform or
// for another OS/architecture (attestations are `unknown/unknown`) never match.
export function selectPlatform(manifests: readonly Descriptor[], wanted: PlatformSpec = hostPlatform()): Descriptor {
  const want = normalizePlatform(wanted);
  const variants = acceptedVariants(want);
  let best: { rank: number; descriptor: Descriptor } | undefined;
  for (const descriptor of manifests) {
    const p: Platform | undefined = descriptor.platform;
    if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string') continue;
    const have = normalizePlatform(p);
    if (have.os !== want.os || have.architecture !== want.architecture) continue;
    const rank = variants.indexOf(have.variant ?? '');
    if (rank < 0) continue;
    if (!best || rank < best.rank) best = { rank, descriptor };
  }
  if (!best) {
    const available = manifests.map((m) => (m.platform ? formatPlatform(normalizePlatform(m.platform)) : 'unknown')).join(', ');
    throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries (available: ${available || 'none'})`);
  }
  return best.descriptor;
}
