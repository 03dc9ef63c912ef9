// "Did you mean" suffixes for rule messages, over the front end's edit-distance matcher.

import { closest } from '../../../contracts/suggest.js';

export function didYouMean(name: string, candidates: readonly string[]): string {
  const match = closest(name, candidates);
  return match ? ` (did you mean "${match}"?)` : '';
}
