'use strict';
// What bin/berth starts. Start-up is most of a short command's time, so this runs the one-file
// bundle that apps/cli/bundle.js builds, from V8's code cache: no module resolution and no
// compiling. Without a bundle, or with one older than what it was built from (a `tsc -b` since),
// it runs the compiled tree as it is.
const fs = require('node:fs');
const path = require('node:path');

// bin/berth started Node without the user's extra CA certificates (see there); what this process
// starts (the stack, the Hub) gets them back.
const savedExtraCaCerts = process.env.BERTH_NODE_EXTRA_CA_CERTS;
if (savedExtraCaCerts !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = savedExtraCaCerts;
  delete process.env.BERTH_NODE_EXTRA_CA_CERTS;
}

const dist = path.join(__dirname, 'dist');
const bundle = path.join(dist, 'berth.js');

function bundleStamp() {
  try {
    const stat = fs.statSync(bundle);
    const repo = path.join(__dirname, '../..');
    for (const input of fs.readFileSync(`${bundle.slice(0, -3)}.inputs`, 'latin1').split('\n')) {
      // ctime: it moves with every write and every new folder, whatever the mtime says.
      if (input !== '' && fs.statSync(path.join(repo, input)).ctimeMs > stat.mtimeMs) return undefined;
    }
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

// V8 checks a cache against the source's length only, so the cache names the bundle it belongs
// to (size and mtime) on its first line.
function readCache(cacheFile, stamp) {
  try {
    const data = fs.readFileSync(cacheFile);
    const eol = data.indexOf(10);
    return eol > 0 && data.toString('latin1', 0, eol) === stamp ? data.subarray(eol + 1) : undefined;
  } catch {
    return undefined;
  }
}

// Best effort: a read-only tree still runs, only without the cache.
function writeCache(cacheFile, stamp, script) {
  try {
    const temp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(temp, Buffer.concat([Buffer.from(`${stamp}\n`, 'latin1'), script.createCachedData()]));
    fs.renameSync(temp, cacheFile);
  } catch {
    // Nothing to do: the next start compiles again.
  }
}

function runBundle(stamp) {
  const vm = require('node:vm');
  const cacheFile = `${bundle}.cache`;
  const cachedData = readCache(cacheFile, stamp);
  // ASCII (bundle.js sees to it), so latin1 reads it exactly and without decoding; and already
  // the function expression a module is run as, so that V8 takes it without a copy.
  const source = fs.readFileSync(bundle, 'latin1');
  const script = new vm.Script(source, { filename: bundle, cachedData });
  // Written at exit, so that it holds every function this command compiled.
  if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', () => writeCache(cacheFile, stamp, script));
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require('node:module').createRequire(bundle), module, bundle, dist);
}

const stamp = bundleStamp();
if (stamp === undefined) require('./dist/main.js');
else runBundle(stamp);
