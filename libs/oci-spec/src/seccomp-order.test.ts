import { seccompInsertionOrder } from './seccomp-order';
import { SYSCALLS_BY_NUMBER } from './syscall-order.generated';

describe('seccompInsertionOrder', () => {
  it('puts names from the highest syscall number down on x86_64', () => {
    // read 0, write 1, openat 257, clone3 435 on x86_64.
    expect(seccompInsertionOrder(['read', 'clone3', 'write', 'openat'], 'amd64')).toEqual(['clone3', 'openat', 'write', 'read']);
  });

  it('uses the generic numbers on arm64', () => {
    // openat 56, read 63, write 64 in the generic table.
    expect(seccompInsertionOrder(['openat', 'read', 'write'], 'arm64')).toEqual(['write', 'read', 'openat']);
  });

  it('puts names the table does not know first, in their own order', () => {
    expect(seccompInsertionOrder(['read', 'chown32', 'write', 'some_future_call'], 'amd64')).toEqual([
      'chown32',
      'some_future_call',
      'write',
      'read',
    ]);
  });

  it('keeps the order on an architecture without a table, and never changes the input', () => {
    const names = ['read', 'write', 'openat'];
    expect(seccompInsertionOrder(names, 's390x')).toEqual(names);
    seccompInsertionOrder(names, 'amd64');
    expect(names).toEqual(['read', 'write', 'openat']);
  });

  it('has tables in number order, with no name twice', () => {
    for (const names of Object.values(SYSCALLS_BY_NUMBER)) expect(new Set(names).size).toBe(names.length);
    expect(SYSCALLS_BY_NUMBER.amd64?.slice(0, 3)).toEqual(['read', 'write', 'open']);
    expect(SYSCALLS_BY_NUMBER.arm64?.slice(0, 2)).toEqual(['io_setup', 'io_destroy']);
  });
});
