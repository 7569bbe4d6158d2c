import { renderTemplate } from './template';

// docker prints inspect results as an indented JSON array, or one template line per object.
export function renderInspect(objects: readonly Record<string, unknown>[], format: string | undefined): string {
  if (format === undefined || format === '') return `${JSON.stringify(objects, null, 4)}\n`;
  if (format === 'json') return `${JSON.stringify(objects)}\n`;
  return objects.map((object) => `${renderTemplate(format, object)}\n`).join('');
}
