import { processIO } from './io';
import { buildProgram, commandNameOf, TOP_LEVEL_COMMANDS } from './program';

const ctx = { io: processIO(), daemon: () => { throw new Error('no daemon in this test'); } };

describe('buildProgram', () => {
  it('knows each top-level command by the name it has', () => {
    for (const [name, build] of TOP_LEVEL_COMMANDS) expect(build(ctx).name()).toBe(name);
    expect(buildProgram(ctx).commands.map((command) => command.name())).toEqual([...TOP_LEVEL_COMMANDS.keys()]);
  });

  it('builds only the command a command line names, and all of them otherwise', () => {
    expect(buildProgram(ctx, ['-H', 'unix:///x.sock', 'run', '--rm', 'img']).commands.map((command) => command.name())).toEqual(['run']);
    expect(buildProgram(ctx, ['container', 'ls']).commands.map((command) => command.name())).toEqual(['container']);
    for (const argv of [[], ['--help'], ['-v'], ['runn'], ['help', 'run']]) {
      expect(buildProgram(ctx, argv).commands).toHaveLength(TOP_LEVEL_COMMANDS.size);
    }
  });

  it('finds the command past -H and --host', () => {
    expect(commandNameOf(['ps'])).toBe('ps');
    expect(commandNameOf(['-H', 'unix:///a', 'ps'])).toBe('ps');
    expect(commandNameOf(['--host', 'unix:///a', 'ps'])).toBe('ps');
    expect(commandNameOf(['--host=unix:///a', 'ps'])).toBe('ps');
    expect(commandNameOf(['-Hunix:///a', 'ps'])).toBe('ps');
    expect(commandNameOf(['--version'])).toBeUndefined();
    expect(commandNameOf(['-H'])).toBeUndefined();
  });
});
