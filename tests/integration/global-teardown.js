// Removes what the integration run shared between its test files (harness.ts's BUSYBOX_DIR).
const { rmSync } = require('node:fs');

module.exports = async () => {
  rmSync(`/tmp/berth-it-img-${process.pid}`, { recursive: true, force: true });
};
