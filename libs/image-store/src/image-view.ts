import { familiarString, parseReference } from '@berth/reference';
import type { types } from '@berth/proto';
import type { ImageRecord } from './metadata-store';

// An image record as the API shows it: docker's familiar tag names, sizes and config.
export function imageView(record: ImageRecord, tags: string[]): types.Image {
  const config = record.config.config ?? {};
  return {
    id: record.id,
    repoTags: tags.map((tag) => familiarString(parseReference(tag))),
    repoDigests: (record.repoDigests ?? []).map((ref) => familiarString(parseReference(ref))),
    created: record.config.created ?? '',
    size: record.layers.reduce((sum, layer) => sum + layer.size, 0),
    architecture: record.config.architecture,
    os: record.config.os,
    config: {
      user: config.User ?? '',
      env: config.Env ?? [],
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      workingDir: config.WorkingDir ?? '',
      labels: config.Labels ?? {},
      exposedPorts: Object.keys(config.ExposedPorts ?? {}),
      volumes: Object.keys(config.Volumes ?? {}),
      stopSignal: config.StopSignal ?? '',
    },
    diffIds: record.config.rootfs.diff_ids,
    history: (record.config.history ?? []).map((h) => ({
      created: h.created ?? '',
      createdBy: h.created_by ?? '',
      comment: h.comment ?? '',
      emptyLayer: h.empty_layer ?? false,
    })),
    manifestDigest: record.manifestDigest,
    comment: record.config.history?.[0]?.comment ?? '',
    author: record.config.author ?? '',
    layerSizes: record.layers.map((layer) => layer.size),
  };
}
