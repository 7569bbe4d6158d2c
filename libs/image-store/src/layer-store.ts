import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { applyLayer, applyLayerOffThread, type ApplyResult, type OffThreadOptions } from '@berth/archive';
import { digestHex } from '@berth/content-store';
import { directorySize } from './disk-usage';

export interface UnpackOptions extends OffThreadOptions {
  // Unpack on a worker thread (kept between layers), beside whatever feeds the input.
  offThread?: boolean;
}

/*
 * Unpacked layers, one directory per ChainID, used read-only as overlayfs lower directories:
 *   DIR/<chain-hex>/diff     the layer's files, whiteouts as overlay whiteouts
 *   DIR/<chain-hex>/size     its unpacked size in bytes
 *   DIR/.tmp-<random>/       a layer being unpacked; renamed into place only when complete
 */
export class LayerStore {
  // Content sizes already read or worked out: a layer never changes while it exists, and every
  // image lookup (each container create) asks for its layers' sizes.
  private readonly contentSizes = new Map<string, number>();

  constructor(private readonly dir: string) {}

  diffPath(chainId: string): string {
    return join(this.dir, digestHex(chainId), 'diff');
  }

  async has(chainId: string): Promise<boolean> {
    try {
      return (await stat(this.diffPath(chainId))).isDirectory();
    } catch {
      return false;
    }
  }

  // Unpacks into a private temp directory; `commit` moves it into place under its ChainID.
  async unpack(input: Readable, options: UnpackOptions): Promise<{ result: ApplyResult; commit: (chainId: string) => Promise<void>; discard: () => Promise<void> }> {
    // Only root may reach unpacked layers: they hold whatever images carry (setuid binaries,
    // device nodes), which must not become the host's (docker keeps its own dirs 0710).
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const temp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(join(temp, 'diff'), { recursive: true, mode: 0o755 });
    const discard = (): Promise<void> => rm(temp, { recursive: true, force: true });
    try {
      const { offThread, handOverChunks, ...apply } = options;
      const result = offThread === true ? await applyLayerOffThread(input, join(temp, 'diff'), { ...apply, handOverChunks }) : await applyLayer(input, join(temp, 'diff'), apply);
      const commit = async (chainId: string): Promise<void> => {
        if (await this.has(chainId)) {
          await discard();
          return;
        }
        // The unpacked size goes with the layer, so an image that later shares it knows it.
        await writeFile(join(temp, 'size'), String(result.size));
        await rename(temp, join(this.dir, digestHex(chainId)));
      };
      return { result, commit, discard };
    } catch (err) {
      await discard();
      throw err;
    }
  }

  // The layer's unpacked size, for layers unpacked since sizes were recorded.
  async size(chainId: string): Promise<number | undefined> {
    try {
      const value = Number(await readFile(join(this.dir, digestHex(chainId), 'size'), 'utf8'));
      return Number.isSafeInteger(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  // The bytes of the layer's files as docker counts an image's size (overlay2's DiffSize: every
  // file and link once, directories not at all), worked out once and kept beside the layer.
  async contentSize(chainId: string): Promise<number | undefined> {
    const known = this.contentSizes.get(chainId);
    if (known !== undefined) return known;
    const dir = join(this.dir, digestHex(chainId));
    try {
      const cached = Number(await readFile(join(dir, 'content-size'), 'utf8'));
      if (Number.isSafeInteger(cached)) {
        this.contentSizes.set(chainId, cached);
        return cached;
      }
    } catch {
      // Not worked out yet.
    }
    if (!(await this.has(chainId))) return undefined;
    const size = await directorySize(join(dir, 'diff'));
    const temp = join(dir, `.content-size-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(temp, String(size));
      await rename(temp, join(dir, 'content-size'));
      this.contentSizes.set(chainId, size);
    } catch {
      // The layer went meanwhile (a prune): the size is still right for this answer.
      await rm(temp, { force: true });
    }
    return size;
  }

  async remove(chainId: string): Promise<void> {
    this.contentSizes.delete(chainId);
    await rm(join(this.dir, digestHex(chainId)), { recursive: true, force: true });
  }

  // Half-unpacked layers a crash left behind.
  async purgeTemp(): Promise<void> {
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    await Promise.all(names.filter((n) => n.startsWith('.tmp-')).map((n) => rm(join(this.dir, n), { recursive: true, force: true })));
  }
}
