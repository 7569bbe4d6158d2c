import type { Command, Option } from 'commander';

// docker's help layout: "Usage:  berth run [OPTIONS] ...", the description, then commands and
// options in aligned columns.
const WIDTH = 80;

function optionFlags(option: Option): string {
  const type = /<([^>]+)>/.exec(option.flags)?.[1];
  const names = option.short !== undefined ? `${option.short}, ${option.long ?? ''}` : `    ${option.long ?? ''}`;
  return `  ${names}${type !== undefined ? ` ${type}` : ''}`;
}

function wrap(text: string, indent: number): string {
  const room = Math.max(30, WIDTH - indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function columns(rows: Array<[string, string]>, minimumGap = 3): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + minimumGap;
  return rows.map(([left, right]) => `${left.padEnd(width)}${wrap(right, width)}`.trimEnd()).join('\n');
}

function path(cmd: Command): string {
  const names: string[] = [];
  for (let at: Command | null = cmd; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

// Flag names in the order localeCompare gives them (case folded, lower case first) for what flag
// names are made of (ASCII letters, digits, '-'), without the ~7 ms it takes to set up ICU's
// collator, a tenth of a `--help`'s run.
function byFlagName(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}

export function formatHelp(cmd: Command): string {
  const sections = [`Usage:  ${path(cmd)} ${cmd.usage()}`.trimEnd(), cmd.description()];
  const aliases = cmd.aliases();
  if (aliases.length > 0) sections.push(`Aliases:\n  ${[cmd.name(), ...aliases].map((a) => `${path(cmd.parent ?? cmd)} ${a}`).join(', ')}`);
  const subcommands = cmd.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden);
  if (subcommands.length > 0) {
    sections.push(`Commands:\n${columns(subcommands.map((sub) => [`  ${sub.name()}`, sub.description()]))}`);
  }
  const options = cmd.options
    .filter((option) => !option.hidden)
    .sort((a, b) => byFlagName(a.long ?? a.short ?? '', b.long ?? b.short ?? ''));
  if (options.length > 0) {
    const title = cmd.parent === null ? 'Global Options' : 'Options';
    sections.push(`${title}:\n${columns(options.map((option) => [optionFlags(option), option.description]))}`);
  }
  if (subcommands.length > 0) sections.push(`Run '${path(cmd)} COMMAND --help' for more information on a command.`);
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}
