// The CLI's own version, reported by `berth version` (the daemon reports its own).
export const CLI_VERSION = '0.1.0';
export const CLI_API_VERSION = '1';

// Node's names for architectures, as Go's GOARCH spells them.
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
}
