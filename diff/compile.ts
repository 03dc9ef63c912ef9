// How the diff reaches the compiler: `compilePlan` is the one entry point. The function type lets tests
// and other callers inject a compiler.

import { compilePlan } from '../compiler/index.js';
import type { CompileResult } from './side.js';

export type CompileFn = (file: string, options?: { text?: string }) => Promise<CompileResult>;

export async function loadCompiler(): Promise<CompileFn> {
  return compilePlan;
}
