// Secret values live in memory only. Every resolved secret is registered here, and every message that
// may reach a person, the journal or stderr goes through `redact` first.

export class Redactor {
  readonly #secrets = new Set<string>();

  add(value: string): void {
    // Very short values would redact ordinary words; a secret that short is a configuration problem anyway.
    if (value.length >= 4) this.#secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join('***');
    }
    return out;
  }

  messageOf(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return this.redact(text);
  }
}
