// Handlebars templates under ./templates, loaded relative to this module so they work from the
// sources (vitest) and from dist/ alike. Output is text, never HTML: no escaping.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

const cache = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplate(name: string, context: object): string {
  let template = cache.get(name);
  if (template === undefined) {
    const text = readFileSync(new URL(`./templates/${name}.hbs`, import.meta.url), 'utf8');
    template = Handlebars.compile(text, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  const out = template(context);
  return out.endsWith('\n') ? out : `${out}\n`;
}
