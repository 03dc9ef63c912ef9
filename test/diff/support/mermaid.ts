// Mermaid's own parser, run under jsdom (it expects a DOM even to parse), for checking the Mermaid
// blocks the diff writes into pull-request comments.

import { JSDOM } from 'jsdom';

let parser: ((text: string) => Promise<unknown>) | null = null;

export async function mermaidParse(text: string): Promise<unknown> {
  if (parser === null) {
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    const globals = globalThis as unknown as Record<string, unknown>;
    globals.window ??= dom.window;
    globals.document ??= dom.window.document;
    const { default: mermaid } = await import('mermaid');
    parser = (source) => mermaid.parse(source);
  }
  return parser(text);
}

/** The body of every ```mermaid block in a markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}
