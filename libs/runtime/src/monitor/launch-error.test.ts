import { ErrorCode } from '@berth/errors';
import { cleanRuntimeMessage, launchError } from './launch-error';
import { monitorArgs, parseSyncLine } from './launch';

describe('launchError', () => {
  it('maps a missing command to COMMAND_NOT_FOUND with docker-like text', () => {
    const err = launchError('runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH');
    expect(err.code).toBe(ErrorCode.CommandNotFound);
    expect(err.message).toBe('exec: "nosuch": executable file not found in $PATH');
    expect(launchError('runc exec failed: unable to start container process: exec: "/x": stat /x: no such file or directory').code).toBe(ErrorCode.CommandNotFound);
  });

  it('maps a command that cannot run to COMMAND_NOT_EXECUTABLE', () => {
    expect(launchError('runc create failed: unable to start container process: exec: "/etc": permission denied').code).toBe(ErrorCode.CommandNotExecutable);
    expect(launchError('exec: "/bin/x": exec format error').code).toBe(ErrorCode.CommandNotExecutable);
  });

  it('keeps other failures INTERNAL, prefixes trimmed', () => {
    const err = launchError('runc create failed: unable to start container process: error during container init: error mounting "proc": no such file or directory');
    expect(err.code).toBe(ErrorCode.Internal);
    expect(err.message).toBe('error during container init: error mounting "proc": no such file or directory');
    expect(launchError('').message).toMatch(/without a message/);
    expect(cleanRuntimeMessage('container with id exists: c1')).toBe('container with id exists: c1');
  });
});

describe('monitor launch plumbing', () => {
  it('builds absolute long options', () => {
    const args = monitorArgs({
      monitorBinary: 'm', id: 'c1', runtimePath: '/usr/sbin/runc', runtimeRoot: '/r', bundle: '/b', logPath: '/l', exitFile: '/e',
      socketPath: '/s', pidFile: '/p', monitorPidFile: '/mp', tty: true, stdin: false, oomSource: '/sys/fs/cgroup/memory/x/memory.oom_control',
    });
    expect(args).toEqual(['--id', 'c1', '--runtime', '/usr/sbin/runc', '--runtime-root', '/r', '--bundle', '/b', '--log', '/l', '--exit-file', '/e',
      '--socket', '/s', '--pid-file', '/p', '--monitor-pid-file', '/mp', '--tty', '--oom-source', '/sys/fs/cgroup/memory/x/memory.oom_control']);
  });

  it('asks for a started, held container only when told to', () => {
    const base = { monitorBinary: 'm', id: 'c1', runtimePath: '/r', runtimeRoot: '/r', bundle: '/b', logPath: '/l', exitFile: '/e', socketPath: '/s', pidFile: '/p', monitorPidFile: '/mp', tty: false, stdin: false };
    expect(monitorArgs(base)).not.toContain('--start');
    expect(monitorArgs({ ...base, start: true, holdOutput: true }).slice(-2)).toEqual(['--start', '--hold-output']);
  });

  it('passes the rootfs mounts as TYPE<tab>SOURCE<tab>OPTIONS and asks to wait for the config', () => {
    const base = { monitorBinary: 'm', id: 'c1', runtimePath: '/r', runtimeRoot: '/r', bundle: '/b', logPath: '/l', exitFile: '/e', socketPath: '/s', pidFile: '/p', monitorPidFile: '/mp', tty: false, stdin: false };
    const overlay = { type: 'overlay', source: 'overlay', target: '', options: ['lowerdir=/a:/b', '', 'upperdir=/u', 'workdir=/w'] };
    expect(monitorArgs({ ...base, rootfsMounts: [overlay], beforeRuntime: async () => undefined }).slice(-3)).toEqual([
      '--rootfs-mount', 'overlay\toverlay\tlowerdir=/a:/b,upperdir=/u,workdir=/w', '--wait-config',
    ]);
    expect(() => monitorArgs({ ...base, rootfsMounts: [{ ...overlay, target: 'etc' }] })).toThrow(/onto the root itself/);
    expect(() => monitorArgs({ ...base, rootfsMounts: [{ ...overlay, source: 'a\tb' }] })).toThrow(/tab/);
    expect(() => monitorArgs({ ...base, rootfsMounts: [{ ...overlay, type: '', source: '' }] })).toThrow(/neither type nor source/);
  });

  it('parses the sync line', () => {
    expect(parseSyncLine('{"pid":42}')).toEqual({ pid: 42 });
    expect(parseSyncLine('{"pid":42,"monitor_pid":41}')).toEqual({ pid: 42, monitorPid: 41 });
    expect(() => parseSyncLine('{"pid":42,"monitor_pid":"41"}')).toThrow();
    expect(parseSyncLine('{"pid":-1,"message":"boom"}')).toEqual({ pid: -1, message: 'boom' });
    expect(() => parseSyncLine('{"pid":"x"}')).toThrow();
    expect(() => parseSyncLine('garbage')).toThrow();
  });
});
