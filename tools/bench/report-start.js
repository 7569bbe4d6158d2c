// Prints each engine's median over every round's runs (hyperfine exports start-*.json in DIR)
// and Berth's ratio to each peer. Arguments: DIR NAME=COMMAND... with Berth first.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [dir, ...engines] = process.argv.slice(2);
const times = new Map(engines.map((engine) => [engine.slice(engine.indexOf('=') + 1), []]));
for (const file of readdirSync(dir).filter((name) => /^start-\d+\.json$/.test(name))) {
  for (const result of JSON.parse(readFileSync(join(dir, file), 'utf8')).results) times.get(result.command)?.push(...result.times);
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return (sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2) * 1000;
};
const rows = engines.map((engine) => {
  const name = engine.slice(0, engine.indexOf('='));
  const values = times.get(engine.slice(engine.indexOf('=') + 1));
  return { name, values, median: median(values) };
});
console.log(`container start-to-exit (run --rm IMG true), median of ${rows[0].values.length} runs each, in alternating rounds:`);
for (const row of rows) {
  const ms = (s) => (s * 1000).toFixed(1);
  console.log(`  ${row.name.padEnd(7)} ${row.median.toFixed(1).padStart(7)} ms  (min ${ms(Math.min(...row.values))}, max ${ms(Math.max(...row.values))})`);
}
for (const peer of rows.slice(1)) console.log(`  berth / ${peer.name}: ${(rows[0].median / peer.median).toFixed(2)}x`);
