import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import type { OciImageConfig } from './oci';

export interface LayerRecord {
  diffId: string;
  chainId: string;
  blobDigest: string;
  size: number;
}

export interface ImageRecord {
  id: string;
  manifestDigest: string;
  config: OciImageConfig;
  layers: LayerRecord[];
  // Where the image was pulled from: `docker.io/library/busybox@sha256:...`.
  repoDigests?: string[];
}

interface MetadataFile {
  images: Record<string, ImageRecord>;
  // Normalised reference (docker.io/library/busybox:latest) → image ID.
  tags: Record<string, string>;
}

// Image records and tags in one small file, replaced atomically on every change.
export class MetadataStore {
  private data: MetadataFile = { images: {}, tags: {} };

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    try {
      this.data = JSON.parse(await readFile(join(this.dir, 'images.json'), 'utf8')) as MetadataFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private async save(): Promise<void> {
    await writeFileAtomic(join(this.dir, 'images.json'), JSON.stringify(this.data));
  }

  images(): ImageRecord[] {
    return Object.values(this.data.images);
  }

  image(id: string): ImageRecord | undefined {
    return this.data.images[id];
  }

  tagsOf(id: string): string[] {
    return Object.entries(this.data.tags)
      .filter(([, target]) => target === id)
      .map(([ref]) => ref)
      .sort();
  }

  tagTarget(ref: string): string | undefined {
    return this.data.tags[ref];
  }

  async putImage(record: ImageRecord, tag?: string): Promise<void> {
    this.data.images[record.id] = record;
    if (tag !== undefined) this.data.tags[tag] = record.id;
    await this.save();
  }

  async setTag(ref: string, id: string): Promise<void> {
    this.data.tags[ref] = id;
    await this.save();
  }

  async removeTag(ref: string): Promise<void> {
    delete this.data.tags[ref];
    await this.save();
  }

  async removeImage(id: string): Promise<void> {
    delete this.data.images[id];
    for (const ref of this.tagsOf(id)) delete this.data.tags[ref];
    await this.save();
  }
}
