// The Handlebars templates under ./templates, rendered from their precompiled form in
// templates.generated.ts (see templates-source.ts): only the small Handlebars runtime is loaded, not
// the template compiler. Output is text, never HTML: no escaping.

import type HandlebarsApi from 'handlebars';
import runtime from 'handlebars/runtime.js';
import { templateSpecs } from './templates.generated.js';

// handlebars/runtime.js is the runtime half of the full API, but its typings declare nothing.
const Handlebars = runtime as unknown as typeof HandlebarsApi;

type TemplateName = keyof typeof templateSpecs;

const cache = new Map<string, HandlebarsTemplateDelegate>();

export function renderTemplate(name: string, context: object): string {
  let template = cache.get(name);
  if (template === undefined) {
    const spec = templateSpecs[name as TemplateName];
    if (spec === undefined) throw new Error(`no template ${name} under compiler/emit/templates`);
    template = Handlebars.template(spec);
    cache.set(name, template);
  }
  const out = template(context);
  return out.endsWith('\n') ? out : `${out}\n`;
}
