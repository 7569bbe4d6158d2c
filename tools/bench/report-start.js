// Prints hyperfine's medians for each engine and Berth's ratio to each peer.
const [file, ...names] = process.argv.slice(2);
const { results } = require(require('node:path').resolve(file));
const median = (r) => r.median * 1000;
console.log('container start-to-exit (run --rm IMG true), median of runs:');
results.forEach((r, i) => console.log(`  ${names[i].padEnd(7)} ${median(r).toFixed(1).padStart(7)} ms  (min ${(r.min * 1000).toFixed(1)}, max ${(r.max * 1000).toFixed(1)})`));
const berth = median(results[0]);
results.slice(1).forEach((r, i) => console.log(`  berth / ${names[i + 1]}: ${(berth / median(r)).toFixed(2)}x`));
