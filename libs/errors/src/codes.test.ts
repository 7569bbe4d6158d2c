import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allErrorCodes } from './codes';

describe('error codes', () => {
  it('are all documented in docs/errors.md', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/errors.md'), 'utf8');
    for (const code of allErrorCodes) expect(doc).toContain(`\`${code}\``);
  });

  it('are unique', () => {
    expect(new Set(allErrorCodes).size).toBe(allErrorCodes.length);
  });
});
