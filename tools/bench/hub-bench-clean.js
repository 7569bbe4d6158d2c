// `node hub-bench-clean.js ADDR PREFIX [BLOB]`: deletes, through the API, the manifests and blobs
// that hub-bench.sh pushed to repositories under PREFIX/ of a shared registry (registry:2), and
// BLOB from PREFIX/blob.
'use strict';
const [addr, prefix, blob] = process.argv.slice(2);
const base = `http://${addr}/v2`;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

async function main() {
  if (blob) await fetch(`${base}/${prefix}/blob/blobs/${blob}`, { method: 'DELETE' });
  const { repositories } = await (await fetch(`${base}/_catalog?n=100000`)).json();
  for (const repo of (repositories ?? []).filter((r) => r.startsWith(`${prefix}/`))) {
    const { tags } = await (await fetch(`${base}/${repo}/tags/list`)).json();
    for (const tag of tags ?? []) {
      const res = await fetch(`${base}/${repo}/manifests/${tag}`, { headers: { Accept: ACCEPT } });
      if (!res.ok) continue;
      const manifest = await res.json();
      for (const blob of [manifest.config, ...(manifest.layers ?? [])].filter(Boolean)) {
        await fetch(`${base}/${repo}/blobs/${blob.digest}`, { method: 'DELETE' });
      }
      await fetch(`${base}/${repo}/manifests/${res.headers.get('docker-content-digest')}`, { method: 'DELETE' });
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
