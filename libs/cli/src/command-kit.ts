import { Command, Option, type CommanderError, type ParseOptionsResult } from 'commander';
import { errorMessageOf } from '@berth/errors';
import { ArgumentCountError, FlagError, StatusError } from './cli-errors';
import { formatHelp } from './help';
import type { CliIO } from './io';
import { parseBool } from './parse/bool';

// commander, made to parse and complain like docker's cobra/pflag: no `-h` help (docker uses -h
// for --hostname), "unknown flag: --x", "flag needs an argument", arguments counted by us.
export class DockerCommand extends Command {
  private readonly boolFlags = new Set<string>();
  private stopsAtFirstArgument = false;

  constructor(
    name: string,
    readonly io: CliIO,
  ) {
    super(name);
    this.helpOption('--help', 'Print usage');
    this.helpCommand(false);
    this.showSuggestionAfterError(false);
    this.allowExcessArguments(true);
    this.enablePositionalOptions();
    this.configureHelp({ formatHelp: (cmd) => formatHelp(cmd) });
    this.configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => undefined,
    });
    this.exitOverride((err: CommanderError) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') throw new StatusError(0);
      if (err.code === 'commander.executeSubCommandAsync') throw err;
      throw new StatusError(err.exitCode === 0 ? 0 : 1, err.message.replace(/^error: /, ''));
    });
  }

  override createCommand(name: string): DockerCommand {
    return new DockerCommand(name, this.io);
  }

  // "berth image ls"
  commandPath(): string {
    const names = [this.name()];
    for (let parent = this.parent; parent !== null; parent = parent.parent) names.unshift(parent.name());
    return names.join(' ');
  }

  usageLine(): string {
    return `${this.commandPath()} ${this.usage()}`.trim();
  }

  flagError(message: string): FlagError {
    return new FlagError(message, this.commandPath(), this.usageLine());
  }

  unknownOption(flag: string): never {
    if (flag.startsWith('--')) throw this.flagError(`unknown flag: ${flag.split('=')[0]}`);
    throw this.flagError(`unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`);
  }

  optionMissingArgument(option: Option): never {
    if (option.long !== undefined) throw this.flagError(`flag needs an argument: ${option.long}`);
    throw this.flagError(`flag needs an argument: '${option.short?.slice(1) ?? ''}' in ${option.short ?? ''}`);
  }

  unknownCommand(): never {
    throw new StatusError(1, `berth: unknown command: ${this.commandPath()} ${this.args[0] ?? ''}\n\nRun '${this.commandPath()} --help' for more information`);
  }

  // An option whose value goes through `parse`; failures read like pflag's.
  typedOption<T>(flags: string, description: string, parse: (value: string, previous: T) => T, defaultValue?: T): this {
    const names = flags.replace(/\s*[<[].*$/, '');
    return this.option(
      flags,
      description,
      (value: string, previous: T) => {
        try {
          return parse(value, previous);
        } catch (err) {
          throw this.flagError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(names)} flag: ${errorMessageOf(err)}`);
        }
      },
      defaultValue as T,
    );
  }

  // pflag's bool flag: `--flag` or `--flag=VALUE`, never a separate value, so the word after it
  // stays an argument (`attach --sig-proxy c1`).
  boolOption(long: string, description: string, defaultValue: boolean): this {
    this.boolFlags.add(long);
    this.addOption(new Option(long, description).default(defaultValue));
    return this.addOption(new Option(`--no-${long.slice(2)}`).hideHelp());
  }

  override passThroughOptions(passThrough = true): this {
    this.stopsAtFirstArgument = passThrough;
    return super.passThroughOptions(passThrough);
  }

  // Rewrites `--flag=VALUE` of bool flags into commander's `--flag` / `--no-flag`.
  override parseOptions(argv: string[]): ParseOptionsResult {
    if (this.boolFlags.size === 0) return super.parseOptions(argv);
    const rewritten: string[] = [];
    let done = false;
    for (const arg of argv) {
      if (arg === '--' || (this.stopsAtFirstArgument && !arg.startsWith('-'))) done = true;
      const match = done ? null : /^(--[^=]+)=(.*)$/s.exec(arg);
      if (match === null || !this.boolFlags.has(match[1]!)) {
        rewritten.push(arg);
        continue;
      }
      const [, flag, value] = match;
      let on: boolean;
      try {
        on = parseBool(value!);
      } catch (err) {
        throw this.flagError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flag)} flag: ${errorMessageOf(err)}`);
      }
      rewritten.push(on ? flag! : `--no-${flag!.slice(2)}`);
    }
    return super.parseOptions(rewritten);
  }

  // A repeatable option collected into a list (pflag's stringArray/list).
  listOption(flags: string, description: string): this {
    return this.typedOption<string[]>(flags, description, (value, previous) => [...previous, value], []);
  }

  // docker's argument count checks and their wording: RequiresMinArgs, ExactArgs, NoArgs,
  // RequiresMaxArgs, RequiresRangeArgs.
  requireArgs(args: readonly string[], min: number, max: number = Number.POSITIVE_INFINITY): void {
    if (args.length >= min && args.length <= max) return;
    const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
    let rule: string;
    if (max === 0) rule = 'accepts no arguments';
    else if (min === max) rule = `requires ${plural(min)}`;
    else if (max === Number.POSITIVE_INFINITY) rule = `requires at least ${plural(min)}`;
    else if (min === 0) rule = `requires at most ${plural(max)}`;
    else rule = `requires at least ${min} and at most ${plural(max)}`;
    throw new ArgumentCountError(`'${this.commandPath()}' ${rule}`, this.commandPath(), this.usageLine());
  }
}
