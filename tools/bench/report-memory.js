// Resident memory of the per-container monitors and of the idle stack's services.
const fs = require('node:fs');
const [root, what] = process.argv.slice(2);
const rssKb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};
const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
const cmdline = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
if (what === 'monitors') {
const monitors = pids.filter((p) => cmdline(p)[0]?.endsWith('berth-monitor') && cmdline(p).join(' ').includes(root));
const total = monitors.reduce((sum, p) => sum + rssKb(p), 0);
console.log(`monitor resident memory with ${monitors.length} containers running: ${(total / 1024).toFixed(2)} MiB total, ${(total / Math.max(monitors.length, 1) / 1024).toFixed(2)} MiB each (target <= 2 MB)`);
}
if (what === 'stack') {
const services = JSON.parse(fs.readFileSync(`${root}/run/services.json`, 'utf8'));
const supervisor = Number(fs.readFileSync(`${root}/run/supervisor.pid`, 'utf8'));
let stack = rssKb(supervisor);
const rows = services.map((s) => {
  const kb = s.pid ? rssKb(s.pid) : 0;
  stack += kb;
  return `${s.service} ${(kb / 1024).toFixed(1)} MiB`;
});
console.log(`stack resident memory: ${(stack / 1024).toFixed(1)} MiB (supervisor ${(rssKb(supervisor) / 1024).toFixed(1)} MiB, ${rows.join(', ')})`);
}
