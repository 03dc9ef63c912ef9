// A compiled output file. Paths are relative to the output directory, with forward slashes.
// Content is final bytes as text (UTF-8, trailing newline); the set is deterministic.

export interface Artifact {
  readonly path: string;
  readonly content: string;
}
