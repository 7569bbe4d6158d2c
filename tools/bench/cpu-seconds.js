// `node cpu-seconds.js PID...`: the CPU seconds (user + system, with reaped children) the
// processes have used so far, summed, from /proc/PID/stat. Gone processes count 0.
'use strict';
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
let total = 0;
for (const pid of process.argv.slice(2)) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 after the name.
    total += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  } catch {
    // The process has ended.
  }
}
console.log((total / ticks).toFixed(2));
